# hl7lake engine image: build with Maven, run on a slim JRE as a non-root user, configured only by
# environment variables (HL7LAKE_*, see src/main/resources/application.properties). Base images are
# pinned to exact versions; pin them to digests in your registry mirror if your policy asks for it.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src src
COPY routes routes
RUN mvn -B -ntp -q package -DskipTests

FROM eclipse-temurin:17.0.13_11-jre-jammy
RUN groupadd --system hl7lake && useradd --system --gid hl7lake --home-dir /app --shell /usr/sbin/nologin hl7lake
WORKDIR /app
# the routes are inside the jar (classpath:routes/*.yaml); the copy beside it documents what runs
COPY --from=build /build/target/hl7lake.jar /app/hl7lake.jar
COPY --from=build /build/routes /app/routes
USER hl7lake
# sized for a 2 GB container (the stack's default task; it sets these per task size): heap, Netty's
# direct buffers and the MLLP cap on buffered bytes, with room left for the JVM itself
ENV HL7LAKE_MODE=aws \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:MaxDirectMemorySize=512m" \
    HL7LAKE_MLLP_MAX_BUFFERED_BYTES=268435456
EXPOSE 2575 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["java", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", "/app/hl7lake.jar", "hl7lake.Application", "health"]
ENTRYPOINT ["java", "-jar", "/app/hl7lake.jar", "run"]
