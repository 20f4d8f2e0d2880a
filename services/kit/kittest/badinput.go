package kittest

import "testing"

// BadInput is one request a service must refuse with a problem naming Field
// (see RequireProblem; "" when no field is to be named).
type BadInput struct {
	Name, Method, Path string
	// Body is sent as NewRequest sends it; nil or "" sends no body.
	Body    any
	Headers []string
	Status  int
	Field   string
}

// RequireBadInputs sends each case to base+Path in its own subtest and checks
// the problem answer. Each of after, a check that nothing changed, runs in
// every subtest once the answer is checked.
func RequireBadInputs(t *testing.T, base string, cases []BadInput, after ...func(t *testing.T)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			body := c.Body
			if body == "" {
				body = nil
			}
			RequireProblem(t, Do(t, c.Method, base+c.Path, body, c.Headers...), c.Status, c.Field)
			for _, check := range after {
				check(t)
			}
		})
	}
}
