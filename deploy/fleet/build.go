package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// FindRoot walks up from the working directory to the folder holding go.work.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if exists(filepath.Join(dir, "go.work")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.work not found above the working directory: run from inside the repository")
		}
		dir = parent
	}
}

// mainPackage is where a service's command lives, relative to the root.
func mainPackage(service string) string {
	switch service {
	case "orchestrator", "web":
		return "./" + service + "/cmd/" + service
	default:
		return "./services/" + service + "/cmd/" + service
	}
}

// build compiles every service in one go build, which builds them in
// parallel and names each binary after its command directory; demo adds
// commande's sales history generator (bin/generer).
func build(ctx context.Context, root, binDir string, services []string, demo bool) error {
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	args := []string{"build", "-o", binDir + string(filepath.Separator)}
	for _, s := range services {
		args = append(args, mainPackage(s))
	}
	if demo {
		args = append(args, "./services/commande/cmd/generer")
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %v: %w\n%s", args, err, out.String())
	}
	return nil
}
