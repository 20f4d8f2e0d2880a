package check

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"multimagasins/k8s/manifest"
	"multimagasins/kit/kittest"
)

// namespace is where every object of the platform lives.
const namespace = "multimagasins"

// overlays are the folders under deploy/k8s that `kubectl apply -k` takes;
// the base is built too, since an overlay could hide a mistake of it.
var overlays = []string{"base", "overlays/dev", "overlays/prod"}

var (
	buildMu sync.Mutex
	built   = map[string]*manifest.Manifest{}
)

// build builds deploy/k8s/<overlay> once per test binary.
func build(t *testing.T, overlay string) *manifest.Manifest {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if m, ok := built[overlay]; ok {
		return m
	}
	m, err := manifest.Build(filepath.Join(k8sDir(t), filepath.FromSlash(overlay)), overlay)
	if err != nil {
		t.Fatal(err)
	}
	built[overlay] = m
	return m
}

// sortedKeys lists a map's keys in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func k8sDir(t *testing.T) string { return filepath.Join(kittest.RepoRoot(t), "deploy", "k8s") }

var (
	composeOnce    sync.Once
	composeProject *types.Project
	composeErr     error
)

// loadCompose reads docker-compose.yml as `docker compose` would from the
// repository root (as test/compose does): every profile on and an empty
// environment, so every ${VAR:-default} takes its development default.
func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	root := kittest.RepoRoot(t)
	composeOnce.Do(func() {
		var opts *cli.ProjectOptions
		opts, composeErr = cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
			cli.WithWorkingDirectory(root), cli.WithEnv(nil), cli.WithProfiles([]string{"*"}))
		if composeErr == nil {
			composeProject, composeErr = opts.LoadProject(context.Background())
		}
	})
	if composeErr != nil {
		t.Fatalf("docker-compose.yml: %v", composeErr)
	}
	return composeProject
}

func readFile(t *testing.T, root, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
