# The phonghop server image: a static binary on a distroless base, run as
# its non-root user (65532) with a /data directory that user owns (a named
# volume mounted there starts with the image's ownership).
# Base images pinned by digest; scripts/pin-images.sh refreshes them.
FROM golang:1.27-bookworm@sha256:648f440f42a0958804efb24df176f806f9d353b41f1c0627f666428e40310f6b AS build
# The toolchain go.mod names (fetched through the module proxy if the
# image's Go is older).
ENV GOTOOLCHAIN=auto
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/phonghop ./cmd/phonghop && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/phonghop /usr/local/bin/phonghop
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV PHONGHOP_ADDR=:8080 PHONGHOP_DATA=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/phonghop"]
