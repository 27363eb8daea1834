# syntax=docker/dockerfile:1
# The graphcast command-line client (src/Client): submits to, watches and exports from a cluster.
#   docker build -f deploy/docker/cli.Dockerfile -t graphcast-cli:1.0.0 --build-arg VERSION=1.0.0 --build-arg COMMIT=$(git rev-parse HEAD) .
#   docker run --rm -v "$PWD/cluster.json:/config/cluster.json:ro" graphcast-cli:1.0.0 runs --cluster --cluster-dir /config
# Base images pinned by tag as in silo.Dockerfile (the CLI hosts an embedded silo too, so it needs ASP.NET Core).

FROM mcr.microsoft.com/dotnet/sdk:10.0.401-noble AS build
ARG VERSION=0.0.0-dev
ARG COMMIT=unknown
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY build/ build/
COPY src/ src/
RUN dotnet publish src/Client/GraphCast.Orleans.Client.csproj -c Release -o /app \
        -p:Version=${VERSION} -p:SourceRevisionId=${COMMIT}

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12-noble AS final
ARG VERSION=0.0.0-dev
ARG COMMIT=unknown
LABEL org.opencontainers.image.title="graphcast-cli" \
      org.opencontainers.image.description="graphcast: the GraphCast.Orleans command-line client" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}"
WORKDIR /work
COPY --from=build /app /app
ENV HOME=/tmp
USER 1654
# A command, not a service: nothing to probe.
HEALTHCHECK NONE
ENTRYPOINT ["/app/graphcast"]
