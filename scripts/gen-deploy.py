#!/usr/bin/env python3
"""Writes deterministic deployment files shaped like real service repositories, for scripts/bench.sh.

Each of N repositories gets what services keep next to their Rust: Compose files (an anchored
block of common settings merged with `<<` into each service, environment maps and lists,
ports, health checks, volumes, networks with aliases, resource limits), a Kubernetes manifest
per service (a multi-document stream: Deployment with env, downward-API fields, probes and
volume mounts; Service; ConfigMap; HorizontalPodAutoscaler), an OpenTelemetry Collector
configuration, a Helm chart's values, CI workflows, and `.env` / `.env.example` files. About
S services per repository give about 200 KB of YAML at the default S = 30, the size the
measured real repositories had. The same arguments always give byte-identical output.

Usage: gen-deploy.py OUT_DIR [--repos N] [--services S] [--seed S]
Prints the number of repositories, YAML files and YAML bytes written.
"""

import argparse
import os
import random
import sys

WORDS = ("order invoice ledger route policy quota token cache shard tenant model prompt "
         "budget metric alert rule window batch stream queue worker session user account "
         "price usage limit score signal event trace record index store frame packet").split()

IMAGES = ["postgres:16.4-alpine", "redis:7.4.1-alpine", "nats:2.10.22-alpine",
          "otel/opentelemetry-collector-contrib:0.113.0", "jaegertracing/all-in-one:1.62.0",
          "prom/prometheus:v2.55.1", "grafana/grafana:11.3.0", "minio/minio:RELEASE.2024-11-07"]


def env_block(rng, svc, repo):
    return {
        "OTEL_SERVICE_NAME": f"{repo}.{svc}",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4317",
        "OTEL_TRACES_SAMPLER": rng.choice(["parentbased_traceidratio", "always_on"]),
        "OTEL_TRACES_SAMPLER_ARG": rng.choice(["0.1", "0.25", "1.0"]),
        "RUST_LOG": f"info,{svc.replace('-', '_')}=debug,tower_http=warn",
        "DATABASE_URL": f"postgres://{svc}:secret@postgres:5432/{svc.replace('-', '_')}",
        "REDIS_URL": "redis://redis:6379/0",
        f"{svc.replace('-', '_').upper()}_WORKERS": str(rng.randint(2, 32)),
    }


def compose(rng, repo, services, override):
    out = ["# Local stack: every service with the collector, storage and tracing UI.",
           "x-common: &common",
           "  restart: unless-stopped",
           "  logging:",
           "    driver: json-file",
           "    options: {max-size: \"10m\", max-file: \"3\"}",
           "  networks: [backend]",
           "",
           "x-otel-env: &otel-env",
           "  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4317",
           "  OTEL_EXPORTER_OTLP_PROTOCOL: grpc",
           "  OTEL_RESOURCE_ATTRIBUTES: \"deployment.environment=local,service.namespace=" + repo + "\"",
           "  LOG_FORMAT: json",
           "",
           "services:"]
    for i, svc in enumerate(services):
        env = env_block(rng, svc, repo)
        out += [f"  {svc}:",
                "    <<: *common",
                f"    image: ghcr.io/example/{repo}-{svc}:{rng.randint(0, 3)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}",
                "    build:",
                "      context: .",
                "      dockerfile: docker/Dockerfile",
                f"      args: {{CRATE: {svc}, PROFILE: release}}",
                f"    container_name: {repo}-{svc}",
                f"    hostname: {svc}"]
        if rng.random() < 0.5 or override:
            out.append("    environment:")
            out.append("      <<: *otel-env")
            for k, v in env.items():
                q = "\"" if rng.random() < 0.3 else ""
                out.append(f"      {k}: {q}{v}{q}")
        else:
            out.append("    environment:")
            for k, v in env.items():
                out.append(f"      - {k}={v}")
        out += ["    env_file: [.env]",
                "    ports:",
                f"      - \"{8000 + i}:8080\"",
                f"      - target: 9090",
                f"        published: {9100 + i}",
                "        protocol: tcp",
                f"    expose: [\"8080\", \"9090\"]",
                "    command:",
                f"      - /usr/local/bin/{svc}",
                "      - --config=/etc/app/config.toml",
                f"      - --listen=0.0.0.0:8080",
                "    healthcheck:",
                f"      test: [\"CMD\", \"curl\", \"-fsS\", \"http://localhost:8080/healthz\"]",
                f"      interval: {rng.choice([5, 10, 15, 30])}s",
                "      timeout: 3s",
                "      retries: 5",
                "      start_period: 20s",
                "    volumes:",
                f"      - ./config/{svc}.toml:/etc/app/config.toml:ro",
                f"      - {svc}-data:/var/lib/{svc}",
                "    depends_on:",
                "      postgres: {condition: service_healthy}",
                "      otel-collector: {condition: service_started}",
                "    networks:",
                "      backend:",
                f"        aliases: [{svc}.internal, {svc}-{rng.choice(WORDS)}]",
                "    deploy:",
                "      resources:",
                f"        limits: {{cpus: \"{rng.choice(['0.5', '1.0', '2.0'])}\", memory: {rng.choice([256, 512, 1024])}M}}",
                f"        reservations: {{memory: {rng.choice([64, 128])}M}}",
                "    labels:",
                f"      com.example.team: {rng.choice(WORDS)}",
                f"      com.example.tier: {rng.choice(['edge', 'core', 'batch'])}",
                ""]
    if not override:
        for j, img in enumerate(IMAGES):
            name = img.split(":")[0].split("/")[-1]
            out += [f"  {name}:",
                    "    <<: *common",
                    f"    image: {img}",
                    "    ports:",
                    f"      - \"{15000 + j}:{15000 + j}\"",
                    ""]
        out += ["volumes:"] + [f"  {svc}-data: {{}}" for svc in services]
        out += ["", "networks:", "  backend:", "    driver: bridge", ""]
    return "\n".join(out) + "\n"


def k8s(rng, repo, svc):
    env = env_block(rng, svc, repo)
    out = ["---",
           "apiVersion: apps/v1",
           "kind: Deployment",
           "metadata:",
           f"  name: {svc}",
           f"  namespace: {repo}",
           "  labels:",
           f"    app.kubernetes.io/name: {svc}",
           f"    app.kubernetes.io/part-of: {repo}",
           "    app.kubernetes.io/managed-by: kustomize",
           "  annotations:",
           f"    deployment.kubernetes.io/revision: \"{rng.randint(1, 90)}\"",
           "spec:",
           f"  replicas: {rng.randint(1, 6)}",
           "  revisionHistoryLimit: 5",
           "  selector:",
           f"    matchLabels: {{app.kubernetes.io/name: {svc}}}",
           "  strategy:",
           "    type: RollingUpdate",
           "    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}",
           "  template:",
           "    metadata:",
           f"      labels: {{app.kubernetes.io/name: {svc}, version: v{rng.randint(1, 9)}}}",
           "      annotations:",
           "        prometheus.io/scrape: \"true\"",
           "        prometheus.io/port: \"9090\"",
           "    spec:",
           f"      serviceAccountName: {svc}",
           "      securityContext: {runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001}",
           "      containers:",
           f"        - name: {svc}",
           f"          image: ghcr.io/example/{repo}-{svc}:{rng.randint(0, 3)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}",
           "          imagePullPolicy: IfNotPresent",
           f"          args: [\"--config=/etc/app/config.toml\", \"--listen=0.0.0.0:8080\"]",
           "          ports:",
           "            - {name: http, containerPort: 8080, protocol: TCP}",
           "            - name: metrics",
           "              containerPort: 9090",
           "              protocol: TCP",
           "          env:"]
    for k, v in env.items():
        out += [f"            - name: {k}", f"              value: \"{v}\""]
    out += ["            - name: K8S_POD_NAME",
            "              valueFrom:",
            "                fieldRef:",
            "                  fieldPath: metadata.name",
            "            - name: K8S_NAMESPACE",
            "              valueFrom:",
            "                fieldRef: {fieldPath: metadata.namespace}",
            "          envFrom:",
            f"            - configMapRef: {{name: {svc}-config}}",
            "          resources:",
            f"            requests: {{cpu: {rng.choice([50, 100, 250])}m, memory: {rng.choice([64, 128, 256])}Mi}}",
            f"            limits: {{cpu: \"{rng.choice([1, 2])}\", memory: {rng.choice([256, 512, 1024])}Mi}}",
            "          readinessProbe:",
            "            httpGet: {path: /readyz, port: http}",
            "            initialDelaySeconds: 5",
            "            periodSeconds: 10",
            "          livenessProbe:",
            "            httpGet:",
            "              path: /healthz",
            "              port: http",
            "            failureThreshold: 3",
            "          volumeMounts:",
            "            - name: config",
            "              mountPath: /etc/app",
            "              readOnly: true",
            "      volumes:",
            "        - name: config",
            f"          configMap: {{name: {svc}-config}}",
            "---",
            "apiVersion: v1",
            "kind: Service",
            "metadata:",
            f"  name: {svc}",
            f"  namespace: {repo}",
            "spec:",
            f"  selector: {{app.kubernetes.io/name: {svc}}}",
            "  ports:",
            "    - {name: http, port: 80, targetPort: http}",
            "    - {name: metrics, port: 9090, targetPort: metrics}",
            "---",
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            f"  name: {svc}-config",
            f"  namespace: {repo}",
            "data:",
            f"  LOG_FORMAT: json",
            f"  FEATURE_{rng.choice(WORDS).upper()}: \"{rng.choice(['true', 'false'])}\"",
            "  config.toml: |",
            "    [server]",
            "    listen = \"0.0.0.0:8080\"",
            f"    workers = {rng.randint(2, 16)}",
            "",
            "    [telemetry]",
            "    otlp_endpoint = \"http://otel-collector.observability:4317\"",
            f"    sample_ratio = {rng.choice(['0.1', '0.5', '1.0'])}",
            "---",
            "apiVersion: autoscaling/v2",
            "kind: HorizontalPodAutoscaler",
            "metadata:",
            f"  name: {svc}",
            "spec:",
            f"  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {svc}}}",
            f"  minReplicas: {rng.randint(1, 3)}",
            f"  maxReplicas: {rng.randint(4, 20)}",
            "  metrics:",
            "    - type: Resource",
            "      resource:",
            "        name: cpu",
            f"        target: {{type: Utilization, averageUtilization: {rng.choice([60, 70, 80])}}}"]
    return "\n".join(out) + "\n"


def collector(rng):
    return "\n".join([
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc: {endpoint: 0.0.0.0:4317}",
        "      http: {endpoint: 0.0.0.0:4318}",
        "  prometheus:",
        "    config:",
        "      scrape_configs:",
        "        - job_name: services",
        f"          scrape_interval: {rng.choice([10, 15, 30])}s",
        "          kubernetes_sd_configs: [{role: pod}]",
        "processors:",
        "  memory_limiter: {check_interval: 1s, limit_percentage: 80, spike_limit_percentage: 20}",
        "  batch: {send_batch_size: 8192, timeout: 5s}",
        "  resource:",
        "    attributes:",
        "      - {key: deployment.environment, value: production, action: upsert}",
        "exporters:",
        "  otlp/tempo:",
        "    endpoint: tempo.observability:4317",
        "    tls: {insecure: true}",
        "  prometheusremotewrite:",
        "    endpoint: http://mimir.observability:9009/api/v1/push",
        "  debug: {verbosity: basic}",
        "extensions:",
        "  health_check: {}",
        "  pprof: {endpoint: 0.0.0.0:1777}",
        "service:",
        "  extensions: [health_check, pprof]",
        "  pipelines:",
        "    traces:",
        "      receivers: [otlp]",
        "      processors: [memory_limiter, resource, batch]",
        "      exporters: [otlp/tempo]",
        "    metrics:",
        "      receivers: [otlp, prometheus]",
        "      processors: [memory_limiter, batch]",
        "      exporters: [prometheusremotewrite]",
        "    logs:",
        "      receivers: [otlp]",
        "      processors: [memory_limiter, batch]",
        "      exporters: [debug]",
    ]) + "\n"


def values(rng, repo, services):
    out = ["# Default values for the chart.", "global:", f"  namespace: {repo}",
           "  imagePullSecrets: [{name: ghcr}]", "services:"]
    for svc in services:
        out += [f"  {svc}:",
                "    enabled: true",
                f"    replicaCount: {rng.randint(1, 5)}",
                "    image:",
                f"      repository: ghcr.io/example/{repo}-{svc}",
                f"      tag: \"{rng.randint(0, 3)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}\"",
                "    env:",
                f"      OTEL_SERVICE_NAME: {repo}.{svc}",
                "      OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4317",
                "    extraEnv:",
                "      - name: LOG_FORMAT",
                "        value: json",
                "    resources:",
                "      limits: {cpu: 500m, memory: 512Mi}",
                "    podAnnotations: {}",
                "    nodeSelector: {}",
                "    tolerations: []"]
    return "\n".join(out) + "\n"


def workflow(rng, repo):
    return "\n".join([
        "name: CI",
        "on:",
        "  push: {branches: [main]}",
        "  pull_request:",
        "env:",
        "  CARGO_TERM_COLOR: always",
        "  RUSTFLAGS: -D warnings",
        "jobs:",
        "  test:",
        "    runs-on: ${{ matrix.os }}",
        "    strategy:",
        "      fail-fast: false",
        "      matrix:",
        "        os: [ubuntu-latest, macos-latest]",
        "        rust: [stable, \"1.75\"]",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: dtolnay/rust-toolchain@master",
        "        with: {toolchain: \"${{ matrix.rust }}\", components: \"clippy, rustfmt\"}",
        "      - uses: Swatinem/rust-cache@v2",
        "      - name: Format",
        "        run: cargo fmt --all -- --check",
        "      - name: Clippy",
        "        run: cargo clippy --workspace --all-targets",
        "      - name: Test",
        "        run: |",
        "          cargo test --workspace --no-fail-fast",
        f"          cargo test --doc -p {repo}-core",
        "  docker:",
        "    needs: test",
        "    if: github.ref == 'refs/heads/main'",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: docker/build-push-action@v6",
        "        with:",
        "          push: true",
        f"          tags: ghcr.io/example/{repo}:${{{{ github.sha }}}}",
    ]) + "\n"


def env_file(rng, repo, services, example):
    out = ["# Copy to .env and fill in." if example else "# Local overrides."]
    for svc in services[:6]:
        for k, v in env_block(rng, svc, repo).items():
            out.append(f"{k}=" + ("" if example and "URL" in k else v))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--repos", type=int, default=20)
    ap.add_argument("--services", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20251203)
    args = ap.parse_args()
    if min(args.repos, args.services) < 1:
        sys.exit("gen-deploy: every count must be at least 1")
    rng = random.Random(args.seed)
    files = size = 0
    for r in range(args.repos):
        repo = f"svc{r:03d}"
        used = set()
        services = []
        while len(services) < args.services:
            s = f"{rng.choice(WORDS)}-{rng.choice(['api', 'worker', 'gateway', 'sync'])}"
            if s not in used:
                used.add(s)
                services.append(s)
        outputs = {
            "docker-compose.yml": compose(rng, repo, services, False),
            "docker-compose.override.yml": compose(rng, repo, services[: len(services) // 2], True),
            "deploy/collector/otel-collector.yaml": collector(rng),
            f"deploy/helm/{repo}/Chart.yaml":
                f"apiVersion: v2\nname: {repo}\nversion: 0.1.{r}\nappVersion: \"1.0.0\"\n",
            f"deploy/helm/{repo}/values.yaml": values(rng, repo, services),
            ".github/workflows/ci.yml": workflow(rng, repo),
            ".env": env_file(rng, repo, services, False),
            ".env.example": env_file(rng, repo, services, True),
        }
        for svc in services:
            outputs[f"deploy/k8s/{svc}.yaml"] = k8s(rng, repo, svc)
        for rel, text in outputs.items():
            path = os.path.join(args.out, repo, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            if rel.endswith((".yml", ".yaml")):
                files += 1
                size += len(text.encode())
    print(f"repos={args.repos} yaml_files={files} yaml_bytes={size}")


if __name__ == "__main__":
    main()
