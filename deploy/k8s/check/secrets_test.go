package check

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeKubectl stands in for kubectl: no Secret exists yet, and each
// `create secret generic` is written down as a folder of its keys' files,
// with its namespace, type and labels beside them.
const fakeKubectl = `#!/usr/bin/env bash
set -euo pipefail
[ "$1" = -n ] || { echo "fake kubectl: no namespace in $*" >&2; exit 2; }
ns="$2"; shift 2
case "$1 $2" in
"get secret") exit 1 ;;
"label secret") echo "$4" >>"$FAKE_DIR/$ns/$3/labels" ;;
"create secret")
	[ "$3" = generic ] || exit 2
	out="$FAKE_DIR/$ns/$4"; mkdir -p "$out/data"; shift 4
	echo Opaque >"$out/type"
	for arg in "$@"; do
		case "$arg" in
		--type=*) echo "${arg#--type=}" >"$out/type" ;;
		--from-file=*=*) kv="${arg#--from-file=}"; cp "${kv#*=}" "$out/data/${kv%%=*}" ;;
		*) echo "fake kubectl: unexpected $arg" >&2; exit 2 ;;
		esac
	done ;;
*) echo "fake kubectl: unexpected $*" >&2; exit 2 ;;
esac
`

// secrets.sh creates exactly the Secrets the manifests read, each with the
// keys they mount or reference, in the platform's namespace: basic-auth ones
// for the database roles (username = the role, a fresh random password),
// and identite's files for the rest.
func TestSecretsScript_CreatesEverySecretTheManifestsRead(t *testing.T) {
	dir := t.TempDir()
	kubectl := filepath.Join(dir, "kubectl")
	if err := os.WriteFile(kubectl, []byte(fakeKubectl), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(k8sDir(t), "secrets.sh"))
	cmd.Env = append(os.Environ(), "KUBECTL="+kubectl, "FAKE_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secrets.sh: %v\n%s", err, out)
	}
	created := filepath.Join(dir, namespace)
	entries, err := os.ReadDir(created)
	if err != nil {
		t.Fatalf("nothing created in namespace %s: %v", namespace, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// key reads one key of a created Secret.
	key := func(secret, k string) string {
		b, err := os.ReadFile(filepath.Join(created, secret, "data", k))
		if err != nil {
			t.Errorf("secret %s has no key %s", secret, k)
		}
		return string(b)
	}
	want := map[string][]string{} // secret -> keys the manifests read
	for _, o := range overlays {
		m := build(t, o)
		for _, d := range m.Deployments {
			for _, v := range d.Spec.Template.Spec.Volumes {
				if v.Secret != nil {
					for _, it := range v.Secret.Items {
						want[v.Secret.SecretName] = append(want[v.Secret.SecretName], it.Key)
					}
				}
			}
			for _, e := range mainContainer(t, d).Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					want[e.ValueFrom.SecretKeyRef.Name] = append(want[e.ValueFrom.SecretKeyRef.Name], e.ValueFrom.SecretKeyRef.Key)
				}
			}
		}
		for _, c := range m.Clusters {
			for _, r := range c.Spec.Managed.Roles {
				want[r.PasswordSecret.Name] = append(want[r.PasswordSecret.Name], "username", "password")
			}
		}
	}
	if got := sortedKeys(want); !slices.Equal(names, got) {
		t.Errorf("secrets.sh creates %v; the manifests read %v", names, got)
	}
	for secret, keys := range want {
		for _, k := range keys {
			key(secret, k)
		}
	}
	hex := regexp.MustCompile(`^[0-9a-f]{48}$`)
	passwords := map[string]bool{}
	for _, o := range overlays {
		for _, r := range build(t, o).Clusters["multimagasins-db"].Spec.Managed.Roles {
			s := r.PasswordSecret.Name
			typ, _ := os.ReadFile(filepath.Join(created, s, "type"))
			labels, _ := os.ReadFile(filepath.Join(created, s, "labels"))
			if strings.TrimSpace(string(typ)) != "kubernetes.io/basic-auth" || !strings.Contains(string(labels), "cnpg.io/reload=true") {
				t.Errorf("secret %s: type %q labels %q, want kubernetes.io/basic-auth and cnpg.io/reload=true", s, typ, labels)
			}
			if u := key(s, "username"); u != r.Name {
				t.Errorf("secret %s: username %q, want the role %s (CloudNativePG requires it)", s, u, r.Name)
			}
			pw := key(s, "password")
			if !hex.MatchString(pw) {
				t.Errorf("secret %s: password is not 48 hex digits", s)
			}
			passwords[pw] = true
		}
	}
	if len(passwords) != 7 {
		t.Errorf("%d distinct passwords for the 7 roles", len(passwords))
	}
	// The service clients identite knows are those whose secrets were given.
	clients := key("identite-keys", "service-clients")
	for _, svc := range []string{"panier", "orchestrator"} {
		if !strings.Contains(clients, svc) || strings.TrimSpace(key(svc+"-client", svc+".secret")) == "" {
			t.Errorf("identite's service-clients lacks %s, or its secret is empty", svc)
		}
	}
}
