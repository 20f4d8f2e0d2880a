package check

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"multimagasins/k8s/manifest"
	"multimagasins/kit/kittest"
)

// Every overlay builds, every object decodes into its type with no unknown
// field, and every namespaced object lands in the platform's namespace.
func TestBuild_EveryOverlayDecodesStrictlyIntoItsType(t *testing.T) {
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			m := build(t, o)
			if len(m.Namespaces) != 1 || m.Namespaces[0].Name != namespace {
				t.Errorf("namespaces = %v, want exactly %s", m.Namespaces, namespace)
			}
			for _, o := range m.Objects {
				if o.Kind != "Namespace" && o.Namespace != namespace {
					t.Errorf("%s %s is in namespace %q, want %s", o.Kind, o.Name, o.Namespace, namespace)
				}
			}
			t.Logf("%d deployments, %d services, %d network policies", len(m.Deployments), len(m.Services), len(m.Policies))
		})
	}
}

// The strict decoding the build test relies on: a misspelt or misplaced
// field is an error, for the k8s.io/api types and the Cluster mirror alike.
func TestDecodeStrict_RefusesAnUnknownField(t *testing.T) {
	m := manifest.New("test")
	for _, bad := range []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicaz: 2}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: x, readinesProbe: {}}\n",
		"apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: x}\nspec: {instance: 3}\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n",
	} {
		if err := m.Add([]byte(bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
	if err := manifest.New("test").Add([]byte(
		"apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: x}\nspec: {instances: 3}\n")); err != nil {
		t.Errorf("a valid Cluster: %v", err)
	}
}

// kustomize reads no file outside the kustomization's folder, so the base
// holds copies of gateway/krakend.json, deploy/postgres/schemas.sql and
// deploy/jaeger/config.yaml: they must be the files compose and the native
// launcher use, byte for byte.
func TestBase_CopiesAreTheRepositoryFiles(t *testing.T) {
	root := kittest.RepoRoot(t)
	for copyName, original := range map[string]string{
		"krakend.json":       "gateway/krakend.json",
		"schemas.sql":        "deploy/postgres/schemas.sql",
		"jaeger-config.yaml": "deploy/jaeger/config.yaml",
	} {
		got, err := os.ReadFile(filepath.Join(k8sDir(t), "base", copyName))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(original)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("deploy/k8s/base/%s differs from %s: run `cp %s deploy/k8s/base/%s`", copyName, original, original, copyName)
		}
	}
	// And the built ConfigMaps carry them unchanged.
	for _, o := range overlays {
		m := build(t, o)
		k := krakendConfig(t, m)
		want, _ := os.ReadFile(filepath.Join(root, "gateway", "krakend.json"))
		if k.raw != string(want) {
			t.Errorf("%s: the krakend ConfigMap is not gateway/krakend.json", o)
		}
		sql := m.ConfigMaps["postgres-schemas"]
		schemas, _ := os.ReadFile(filepath.Join(root, "deploy", "postgres", "schemas.sql"))
		if sql == nil || sql.Data["schemas.sql"] != string(schemas) {
			t.Errorf("%s: no ConfigMap postgres-schemas holding deploy/postgres/schemas.sql", o)
		}
		jaeger, _ := os.ReadFile(filepath.Join(root, "deploy", "jaeger", "config.yaml"))
		if got := jaegerMountedConfig(t, m); got != string(jaeger) {
			t.Errorf("%s: the config.yaml jaeger mounts is not deploy/jaeger/config.yaml", o)
		}
	}
}

// README.md says how to deploy, and names what the manifests point to it for.
func TestReadme_SaysHowToDeploy(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(k8sDir(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kubectl apply -k deploy/k8s/overlays/prod", "CloudNativePG", "secrets.sh", "GOMEMLIMIT"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("deploy/k8s/README.md does not mention %q", want)
		}
	}
}
