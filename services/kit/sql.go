package kit

import "strings"

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ContainsPattern turns user search text into a lower-case LIKE pattern that
// matches it literally anywhere: "50%_off" finds "50%_off", not "50xyoff".
// An empty q matches everything.
func ContainsPattern(q string) string {
	return "%" + likeEscaper.Replace(strings.ToLower(strings.TrimSpace(q))) + "%"
}
