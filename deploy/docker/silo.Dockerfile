# syntax=docker/dockerfile:1
# The GraphCast silo (src/Silo): CPU by default; the CUDA build with --build-arg TORCH_BACKEND=cuda.
# Build from the repository root (docs/deploy.md):
#   docker build -f deploy/docker/silo.Dockerfile -t graphcast-silo:1.0.0 --build-arg VERSION=1.0.0 --build-arg COMMIT=$(git rev-parse HEAD) .
#   docker build -f deploy/docker/silo.Dockerfile -t graphcast-silo:1.0.0-cuda --build-arg TORCH_BACKEND=cuda --build-arg VERSION=1.0.0 --build-arg COMMIT=$(git rev-parse HEAD) .
# Base images are pinned by tag: the .NET SDK and ASP.NET Core runtime this repository builds and tests with
# (SDK 10.0.401, runtime 10.0.12, Ubuntu 24.04 "noble", whose libstdc++ needs no GLIBCXX patch), and for CUDA the
# NVIDIA CUDA 12.8 runtime that libtorch-cuda-12.8-linux-x64 2.10.0 is built against.

ARG TORCH_BACKEND=cpu

FROM mcr.microsoft.com/dotnet/sdk:10.0.401-noble AS build
ARG TORCH_BACKEND
ARG VERSION=0.0.0-dev
ARG COMMIT=unknown
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY build/ build/
COPY src/ src/
RUN dotnet publish src/Silo/GraphCast.Orleans.Silo.csproj -c Release -o /app \
        -p:TorchBackend=${TORCH_BACKEND} -p:Version=${VERSION} -p:SourceRevisionId=${COMMIT}

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12-noble AS runtime-cpu

FROM nvidia/cuda:12.8.1-runtime-ubuntu24.04 AS runtime-cuda
# The ASP.NET Core runtime from Microsoft's image, and the user it runs as there (app, uid 1654).
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0.12-noble /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3t64 zlib1g tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1654 app \
    && useradd --uid 1654 --gid app --no-create-home --shell /usr/sbin/nologin app
ENV APP_UID=1654 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

FROM runtime-${TORCH_BACKEND} AS final
ARG TORCH_BACKEND
ARG VERSION=0.0.0-dev
ARG COMMIT=unknown
LABEL org.opencontainers.image.title="graphcast-silo" \
      org.opencontainers.image.description="GraphCast.Orleans silo: ensemble members as Orleans grains running GraphCast on TorchSharp (${TORCH_BACKEND})" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      io.graphcast.torch-backend="${TORCH_BACKEND}"
WORKDIR /app
COPY --from=build /app ./
# Silo-to-silo, client gateway and health ports; the graph cache on a volume (the root filesystem may be read-only).
ENV GRAPHCAST_Cluster__SiloPort=11111 \
    GRAPHCAST_Cluster__GatewayPort=30000 \
    GRAPHCAST_Health__Port=8080 \
    GRAPHCAST_Models__GraphCacheDirectory=/var/cache/graphcast/graphs \
    DOTNET_gcServer=1
EXPOSE 11111 30000 8080
USER 1654
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${GRAPHCAST_Health__Port} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["dotnet", "/app/GraphCast.Orleans.Silo.dll"]
