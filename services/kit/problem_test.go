package kit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// The database going away is a 503 the client may retry; a statement's own
// fault stays a 500 that leaks nothing.
func TestInternal_DatabaseAwayIs503WithRetryAfter(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, c := range []struct {
		err    error
		status int
	}{
		{&pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}, 503},
		{fmt.Errorf("create saga: %w", &pgconn.PgError{Code: "08006"}), 503},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), 503},
		{&pgconn.PgError{Code: "23505", Message: "duplicate key"}, 500},
		{errors.New("a bug"), 500},
	} {
		err := Internal(context.Background(), log, c.err)
		var se huma.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, c.status, se.GetStatus(), "%v", c.err)
		require.NotContains(t, se.Error(), "duplicate", "the cause stays in the logs")
		var hs huma.HeadersError
		if c.status == 503 {
			require.ErrorAs(t, err, &hs)
			require.Equal(t, "1", hs.GetHeaders().Get("Retry-After"))
		}
	}
}
