# syntax=docker/dockerfile:1
#
# vllm-simulator: a drop-in for the vllm/vllm-openai image, without a GPU.
#
#   docker build -t vllm-simulator:latest .
#   docker run -p 8080:8080 -e MODEL_NAME=meta-llama/Llama-3.1-8B-Instruct -e GPU_TYPE=NVIDIA-A100-80GB \
#     -e TENSOR_PARALLEL_SIZE=1 vllm-simulator:latest
#   docker run -p 8000:8000 vllm-simulator:latest --model Qwen/Qwen3-8B --port 8000     (vLLM's argument list)
#
# Every step below was reproduced without a Docker engine; docs/deploy.md says how and what was seen.
#
# Base image: the last Node 20 LTS release line, pinned to a patch version (the one CI and the
# developers run). For a fully reproducible build add the digest, as printed by
# `docker buildx imagetools inspect node:20.20.2-bookworm-slim`:
#   FROM node:20.20.2-bookworm-slim@sha256:<digest> AS ...
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: compile TypeScript with the dev dependencies --------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the only install scripts in the tree are protobufjs' version notice and
# @scarf/scarf's telemetry (package.json "allowScripts" denies both); nothing needs a native build.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, compiled JS and the data files, nothing else -------------
FROM ${NODE_IMAGE} AS runtime

# tini as PID 1: it forwards SIGTERM/SIGINT to node and reaps zombies. Node as PID 1 would also see
# SIGTERM once the CLI has installed its drain handler, but until then (while Nest boots) the kernel
# drops a default-action signal to PID 1, so `docker stop` / a pod deletion would wait for SIGKILL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY data ./data
COPY proto ./proto
# config/ holds responses.yaml, which /admin may rewrite (temp file + rename): the runtime user owns it.
COPY --chown=1000:1000 config ./config

# Commands a vLLM manifest may set as `command:` instead of relying on the entrypoint:
#   vllm serve MODEL ...                                  (vllm/vllm-openai >= 0.8 entrypoint)
#   python3 -m vllm.entrypoints.openai.api_server ...    (older images, KServe/OpenShift AI runtimes)
# Both run the simulator with the rest of the arguments (the CLI skips a leading `serve`).
RUN printf '#!/bin/sh\nexec tini -s -- node /app/dist/main.js "$@"\n' > /usr/local/bin/vllm \
 && printf '#!/bin/sh\nif [ "$1" = "-m" ]; then\n  case "$2" in\n    vllm.entrypoints.openai.api_server|vllm.entrypoints.cli.main) shift 2; exec tini -s -- node /app/dist/main.js "$@";;\n  esac\nfi\necho "vllm-simulator image: no Python here; only python3 -m vllm.entrypoints.openai.api_server ... is understood" >&2\nexit 127\n' > /usr/local/bin/python3 \
 && chmod 755 /usr/local/bin/vllm /usr/local/bin/python3 \
 && ln -s python3 /usr/local/bin/python

# The main settings (README, Configuration), with their built-in defaults. Flags win over these (so
# `--model X --port 8000` works); an empty value (`-e MODEL_NAME=`) lets config/simulator.yaml decide.
ENV MODEL_NAME=mistralai/Mistral-7B-Instruct-v0.3 \
    GPU_TYPE=NVIDIA-L4 \
    TENSOR_PARALLEL_SIZE=1 \
    PORT=8080 \
    GRPC_PORT=50051 \
    HOST=0.0.0.0 \
    LATENCY_SCALE=1 \
    LOG_LEVEL=info

EXPOSE 8080 50051

# The image's `node` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

# Liveness on the Terminus route. No curl in slim images: node does the request. The port is the
# one the server was started with (`--port N` / `--port=N` on PID 1's command line), else $PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const a=require('fs').readFileSync('/proc/1/cmdline','utf8').split('\\0');const i=a.indexOf('--port'),e=a.find(x=>x.startsWith('--port='));const p=e?e.slice(7):i>=0?a[i+1]:(process.env.PORT||8080);require('http').get({host:'127.0.0.1',port:p,path:'/health/live',timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]

ENTRYPOINT ["tini", "--", "node", "/app/dist/main.js"]
CMD []
