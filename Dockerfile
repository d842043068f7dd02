# The phonghop server image: a static binary on a distroless base.
FROM golang:1.27.3-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/phonghop ./cmd/phonghop

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/phonghop /usr/local/bin/phonghop
ENV PHONGHOP_ADDR=:8080 PHONGHOP_DATA=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/phonghop"]
