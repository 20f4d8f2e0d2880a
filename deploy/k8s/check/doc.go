// Package check holds the offline tests of deploy/k8s: every kustomize
// overlay is built with the kustomize library (as `kubectl apply -k` does),
// each object is decoded strictly into its k8s.io/api type, and the result is
// held to docker-compose.yml, to the code (the *_URL each service reads, the
// backends of gateway/krakend.json) and to the rules README.md states.
package check
