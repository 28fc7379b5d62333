# Tally JVM image: the Quarkus fast-jar (target/quarkus-app) on a Temurin 25 JRE.
#
# Build the application first, then the image (the image build itself needs no network and no Maven):
#   ./mvnw -B package -DskipTests
#   docker build -t tally:local .
# deploy/compose.yaml does the second step itself (build: context ..).
#
# Runtime choices:
# - Non-root: numeric UID/GID 185 (so "runAsNonRoot" policies can verify it without a passwd lookup). The
#   application files stay owned by root and read-only to the process; it writes only to /tmp.
# - The JVM sizes its heap from the container's memory limit (-XX:MaxRAMPercentage=75) and exits on
#   OutOfMemoryError so the orchestrator restarts it instead of leaving a half-broken replica serving.
#   Extra JVM options: set JDK_JAVA_OPTIONS (read by the java launcher itself; no shell involved).
# - Exec-form ENTRYPOINT: java is PID 1 and receives SIGTERM directly, so Quarkus' graceful shutdown runs
#   (readiness DOWN, 5 s delay, then up to 20 s to finish in-flight requests). Give it a stop timeout above 25 s.
# - HEALTHCHECK: the Temurin Ubuntu images carry neither curl nor wget (wget is purged after the JDK download).
#   bash is always there (Ubuntu base), and its /dev/tcp redirection speaks enough HTTP: send an HTTP/1.0
#   request to the management port and require a "200" status line. No extra package, no second JVM per check.
#   Liveness only (it does not depend on Redis); deploy/compose.yaml checks readiness instead.
FROM eclipse-temurin:25-jre

RUN groupadd --system --gid 185 tally \
 && useradd --system --uid 185 --gid 185 --home-dir /deployments --no-create-home --shell /usr/sbin/nologin tally

WORKDIR /deployments
# Dependencies first: they change least often, so their layer is reused between builds.
COPY target/quarkus-app/lib/ /deployments/lib/
COPY target/quarkus-app/quarkus/ /deployments/quarkus/
COPY target/quarkus-app/app/ /deployments/app/
COPY target/quarkus-app/quarkus-run.jar /deployments/quarkus-run.jar

USER 185:185
# 8080: app API (the only port a proxy may reach); 9000: management (health, metrics), never proxied.
EXPOSE 8080 9000

HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9000 && printf 'GET /q/health/live HTTP/1.0\\r\\n\\r\\n' >&3 && read -r -t 4 status <&3 && [[ $status == *' 200 '* ]]"]

# --add-opens: the deadlock detector reads who holds a java.util.concurrent lock (ops/LockOwners).
ENTRYPOINT ["java", "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", "/deployments/quarkus-run.jar"]
