package gateway

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// nativeConf is the nginx gateway's generated config; the test is skipped
// when KrakenD serves instead (a krakend binary is installed).
func nativeConf(t *testing.T) string {
	t.Helper()
	if why := fl.Skipped("gateway"); why != "" {
		t.Skipf("the nginx gateway is not running: %s", why)
	}
	raw, err := os.ReadFile(fl.ConfigPath("gateway"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// mapBlock reads an nginx map block of the config: `"key" value;` lines.
func mapBlock(t *testing.T, conf, header string) map[string]string {
	t.Helper()
	i := strings.Index(conf, header+" {")
	if i < 0 {
		t.Fatalf("no %q block in the gateway config", header)
	}
	body := conf[i+len(header)+2:]
	body = body[:strings.Index(body, "\n    }")]
	out := map[string]string{}
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSuffix(strings.TrimSpace(line), ";")
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "default ") {
			continue
		}
		if !strings.HasPrefix(line, `"`) {
			t.Fatalf("unexpected line in %s: %q", header, line)
		}
		end := strings.Index(line[1:], `"`) + 1
		out[line[1:end]] = strings.Trim(strings.TrimSpace(line[end+1:]), `"`)
	}
	return out
}

func lookNginx() (string, error) {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx", nil
	}
	return "", errors.New("nginx is not installed")
}

func runCmd(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}
