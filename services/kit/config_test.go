package kit

import (
	"strings"
	"testing"
	"time"
)

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestEnv_DefaultsWhenUnsetOrBlank(t *testing.T) {
	env := NewEnv(mapEnv(map[string]string{"BLANK": "   "}))
	if got := env.String("UNSET", "def"); got != "def" {
		t.Errorf("String unset = %q", got)
	}
	if got := env.String("BLANK", "def"); got != "def" {
		t.Errorf("String blank = %q", got)
	}
	if got := env.Int("UNSET", 7); got != 7 {
		t.Errorf("Int unset = %d", got)
	}
	if got := env.Duration("BLANK", 3*time.Second); got != 3*time.Second {
		t.Errorf("Duration blank = %v", got)
	}
	if err := env.Err(); err != nil {
		t.Fatalf("Err = %v, want nil", err)
	}
}

func TestEnv_ReadsTrimmedValues(t *testing.T) {
	env := NewEnv(mapEnv(map[string]string{
		"S": "  stock:8007 ", "N": " 42 ", "D": "250ms", "R": "x",
	}))
	if got := env.String("S", ""); got != "stock:8007" {
		t.Errorf("String = %q", got)
	}
	if got := env.Int("N", 0); got != 42 {
		t.Errorf("Int = %d", got)
	}
	if got := env.Duration("D", 0); got != 250*time.Millisecond {
		t.Errorf("Duration = %v", got)
	}
	if got := env.Required("R"); got != "x" {
		t.Errorf("Required = %q", got)
	}
	if err := env.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
}

func TestEnv_CollectsEveryProblem(t *testing.T) {
	env := NewEnv(mapEnv(map[string]string{
		"PORT": "80a", "TIMEOUT": "5 seconds", "NEG": "-1s", "EMPTY": " ",
	}))
	if got := env.Int("PORT", 8001); got != 8001 {
		t.Errorf("bad Int should fall back to its default, got %d", got)
	}
	if got := env.Duration("TIMEOUT", time.Second); got != time.Second {
		t.Errorf("bad Duration should fall back to its default, got %v", got)
	}
	env.Duration("NEG", time.Second)
	env.Required("STOCK_URL")
	env.Required("EMPTY")
	err := env.Err()
	if err == nil {
		t.Fatal("Err = nil, want every problem")
	}
	for _, want := range []string{
		`PORT="80a" is not an integer`,
		`TIMEOUT="5 seconds" is not a positive duration`,
		`NEG="-1s" is not a positive duration`,
		"STOCK_URL is required",
		"EMPTY is required",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Err = %q, missing %q", err, want)
		}
	}
}

func TestLoadConfig_DefaultsToTheDesignPort(t *testing.T) {
	cfg, env := LoadConfig("stock", 8007, true, mapEnv(map[string]string{"DATABASE_URL": "postgres://x"}))
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8007" || cfg.LogLevel != "info" || cfg.MaxBodyBytes != 64<<10 ||
		cfg.ShutdownTimeout != 10*time.Second || cfg.DatabaseURL != "postgres://x" || cfg.Service != "stock" {
		t.Fatalf("cfg = %+v", cfg)
	}
}

func TestLoadConfig_AddrWinsOverPort(t *testing.T) {
	cfg, env := LoadConfig("web", 8004, false, mapEnv(map[string]string{"PORT": "9000", "ADDR": "127.0.0.1:9001"}))
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9001" {
		t.Fatalf("Addr = %q", cfg.Addr)
	}
	cfg, _ = LoadConfig("web", 8004, false, mapEnv(map[string]string{"PORT": "9000"}))
	if cfg.Addr != ":9000" {
		t.Fatalf("Addr from PORT = %q", cfg.Addr)
	}
}

func TestLoadConfig_ReportsAllMistakesAtOnce(t *testing.T) {
	_, env := LoadConfig("paiement", 8008, true, mapEnv(map[string]string{
		"LOG_LEVEL": "verbose", "MAX_BODY_BYTES": "0", "SHUTDOWN_TIMEOUT": "soon",
	}))
	err := env.Err()
	if err == nil {
		t.Fatal("Err = nil")
	}
	for _, want := range []string{"DATABASE_URL is required", "LOG_LEVEL", "MAX_BODY_BYTES", "SHUTDOWN_TIMEOUT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Err = %q, missing %q", err, want)
		}
	}
}

func TestLoadConfig_NoDatabaseNeeded(t *testing.T) {
	cfg, env := LoadConfig("web", 8004, false, mapEnv(nil))
	if err := env.Err(); err != nil {
		t.Fatalf("a service without a database must not require DATABASE_URL: %v", err)
	}
	if cfg.DatabaseURL != "" {
		t.Fatalf("DatabaseURL = %q", cfg.DatabaseURL)
	}
}
