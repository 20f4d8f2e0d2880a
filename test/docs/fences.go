package docs

import "strings"

// fence says where a document line stands against the ```lang blocks.
type fence int

const (
	outside fence = iota
	opening       // the ```lang line
	inside
	closing // the ``` that ends the block
)

// walkFences calls fn with each line of doc (numbered from 1, without its
// line ending) and where it stands against doc's ```lang blocks: the shell
// examples and the Mermaid diagrams are both read this way.
func walkFences(doc, lang string, fn func(n int, line string, at fence)) {
	in, n := false, 0
	for line := range strings.Lines(doc) {
		n++
		line = strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimSpace(line)
		switch {
		case !in && trimmed == "```"+lang:
			in = true
			fn(n, line, opening)
		case in && strings.HasPrefix(trimmed, "```"):
			in = false
			fn(n, line, closing)
		case in:
			fn(n, line, inside)
		default:
			fn(n, line, outside)
		}
	}
}
