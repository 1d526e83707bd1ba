# syntax=docker/dockerfile:1
# hl7lake engine image: build with Maven, run on a slim JRE as a non-root user, configured only by
# environment variables (HL7LAKE_*, see engine/src/main/resources/application.properties). Base images are
# pinned to exact versions; pin them to digests in your registry mirror if your policy asks for it.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /build
# the poms first, so that the dependencies are a layer of their own (every module's pom: the reactor reads them all)
COPY pom.xml .
COPY local-spi/pom.xml local-spi/
COPY lake-local/pom.xml lake-local/
COPY engine/pom.xml engine/
COPY bench/pom.xml bench/
COPY local/pom.xml local/
RUN mvn -B -ntp -q -pl local -am dependency:go-offline
# the engine jar, and the full jar that only the class-archive training below runs (never copied into the image)
COPY local-spi local-spi
COPY lake-local lake-local
COPY engine engine
COPY bench bench
COPY local local
COPY routes routes
RUN mvn -B -ntp -q -pl local -am package -DskipTests -Dhl7lake.class-archive.skip=true

FROM eclipse-temurin:17.0.13_11-jre-jammy
RUN groupadd --system hl7lake && useradd --system --gid hl7lake --home-dir /app --shell /usr/sbin/nologin hl7lake
WORKDIR /app
# the production jar only: the engine, without the local lake, the local issuer or the benchmarks;
# the routes are inside it (classpath:routes/*.yaml), the copy beside it documents what runs
COPY --from=build /build/engine/target/hl7lake-engine.jar /app/hl7lake.jar
COPY --from=build /build/routes /app/routes
# sized for a 2 GB container (the stack's default task; it sets these per task size): heap, Netty's
# direct buffers and the MLLP cap on buffered bytes, with room left for the JVM itself
ENV HL7LAKE_MODE=aws \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:MaxDirectMemorySize=512m" \
    HL7LAKE_MLLP_MAX_BUFFERED_BYTES=268435456
# the class-data-sharing archive /app/hl7lake.jsa (start to ready about halved: docs/decisions.md "Start-up"),
# made on this image's own JVM by one start of /app/hl7lake.jar in AWS mode against a local lake that the
# full jar, mounted for this step only, runs; without it (the step failed) the engine starts as before
RUN --mount=type=bind,from=build,source=/build/target/hl7lake.jar,target=/tmp/hl7lake-full.jar \
    cd /tmp && (java -jar /tmp/hl7lake-full.jar class-archive --engine-only --engine-jar /app/hl7lake.jar \
    || echo "no class-data-sharing archive: the engine starts without it") && rm -rf /tmp/hl7lake-*
USER hl7lake
EXPOSE 2575 8080
# curl (in the eclipse-temurin images) rather than a second JVM every 15 s; HL7LAKE_HTTP_PORT if set, else 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["sh", "-c", "curl -fsS -o /dev/null --max-time 4 http://127.0.0.1:${HL7LAKE_HTTP_PORT:-8080}/observe/health || exit 1"]
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/hl7lake.jsa", "-jar", "/app/hl7lake.jar", "run"]
