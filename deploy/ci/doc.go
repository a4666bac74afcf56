// Package ci checks the deployment files of deploy/ without a Docker engine
// or a cluster: the Kubernetes manifests decoded strictly into the API
// types, the compose file loaded with the compose specification's library,
// the Caddyfile adapted by Caddy itself, the systemd units with
// systemd-analyze, and the binary built with the Dockerfile's own flags.
//
// It is a module of its own (deploy/go.mod) so that these heavy libraries
// (k8s.io/api, compose-go, Caddy) never enter the server's dependencies;
// .ci/run runs its tests after the main module's.
package ci
