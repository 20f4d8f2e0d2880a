package kit

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// scanJSON walks a JSON body as written, beside its schema, and returns the
// input policy's refusals with huma's locations (body.lignes[0].cle). It
// reads the text itself because encoding/json hides what matters here: it
// turns a lone \ud800 and invalid UTF-8 into U+FFFD, and it names neither
// the index nor the rule of an amount it cannot read. A body that is not
// JSON yields nothing: huma answers 400 for it.
func scanJSON(b []byte, schema *huma.Schema, reg huma.Registry) []error {
	sc := &jsonScan{b: b, reg: reg}
	sc.ws()
	if err := sc.value(schema); err != nil {
		return nil
	}
	sc.ws()
	if sc.i != len(b) || (len(sc.errs) > 0 && !json.Valid(b)) {
		// The scan is lenient with numbers; the decoder is the judge of syntax.
		return nil
	}
	return sc.errs
}

// maxDepth is encoding/json's own nesting limit.
const maxDepth = 10000

type jsonScan struct {
	b     []byte
	i     int
	reg   huma.Registry
	path  []step
	depth int
	errs  []error
}

// step is one level of a location: a member's name or a list index.
type step struct {
	key   string
	index int // -1 for a member
}

func (sc *jsonScan) fail(msg string, v any) {
	if len(sc.errs) >= maxViolations {
		return
	}
	var loc strings.Builder
	loc.WriteString("body")
	for _, s := range sc.path {
		if s.index >= 0 {
			loc.WriteString("[" + strconv.Itoa(s.index) + "]")
		} else {
			loc.WriteString("." + s.key)
		}
	}
	sc.errs = append(sc.errs, &huma.ErrorDetail{Location: loc.String(), Message: msg, Value: v})
}

func (sc *jsonScan) ws() {
	for sc.i < len(sc.b) {
		switch sc.b[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

func (sc *jsonScan) at(c byte) bool { return sc.i < len(sc.b) && sc.b[sc.i] == c }

func (sc *jsonScan) value(s *huma.Schema) error {
	s = resolve(sc.reg, s)
	if sc.i >= len(sc.b) {
		return errSyntax
	}
	switch c := sc.b[sc.i]; {
	case c == '{':
		return sc.object(s)
	case c == '[':
		return sc.array(s)
	case c == '"':
		v, msg, err := sc.str()
		if msg != "" {
			sc.fail(msg, v)
		}
		return err
	case c == 't':
		return sc.literal("true")
	case c == 'f':
		return sc.literal("false")
	case c == 'n':
		return sc.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return sc.number(s)
	}
	return errSyntax
}

func (sc *jsonScan) literal(word string) error {
	if !strings.HasPrefix(string(sc.b[sc.i:min(len(sc.b), sc.i+len(word))]), word) {
		return errSyntax
	}
	sc.i += len(word)
	return nil
}

func (sc *jsonScan) enter() error {
	if sc.depth++; sc.depth > maxDepth {
		return errSyntax
	}
	sc.i++ // the opening brace or bracket
	sc.ws()
	return nil
}

func (sc *jsonScan) object(s *huma.Schema) error {
	if err := sc.enter(); err != nil {
		return err
	}
	defer func() { sc.depth-- }()
	if sc.at('}') {
		sc.i++
		return nil
	}
	for {
		if !sc.at('"') {
			return errSyntax
		}
		key, msg, err := sc.str()
		if err != nil {
			return err
		}
		sc.path = append(sc.path, step{key: key, index: -1})
		if msg != "" {
			sc.fail(msg, key)
		}
		sc.ws()
		if !sc.at(':') {
			return errSyntax
		}
		sc.i++
		sc.ws()
		prop := member(sc.reg, s, key)
		if sc.at('n') && prop != nil && prop.Type == huma.TypeArray && slices.Contains(s.Required, key) {
			// huma lets null through an array (its arrays are nullable), and
			// the handler would see an empty list: a required list is sent.
			sc.fail("expected required property "+key+" to be a list, not null", nil)
		}
		if err := sc.value(prop); err != nil {
			return err
		}
		sc.path = sc.path[:len(sc.path)-1]
		if more, err := sc.more('}'); !more {
			return err
		}
	}
}

// member is the schema of the member key of an object schema, or nil.
func member(reg huma.Registry, s *huma.Schema, key string) *huma.Schema {
	if s == nil {
		return nil
	}
	if p, ok := s.Properties[key]; ok {
		return resolve(reg, p)
	}
	if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
		return resolve(reg, ap)
	}
	return nil
}

func (sc *jsonScan) array(s *huma.Schema) error {
	if err := sc.enter(); err != nil {
		return err
	}
	defer func() { sc.depth-- }()
	if sc.at(']') {
		sc.i++
		return nil
	}
	var items *huma.Schema
	if s != nil {
		items = s.Items
	}
	for n := 0; ; n++ {
		sc.path = append(sc.path, step{index: n})
		if err := sc.value(items); err != nil {
			return err
		}
		sc.path = sc.path[:len(sc.path)-1]
		if more, err := sc.more(']'); !more {
			return err
		}
	}
}

// more reads what follows a member or an item: a comma, and more to come,
// or the closing byte of the object or array.
func (sc *jsonScan) more(closing byte) (bool, error) {
	sc.ws()
	switch {
	case sc.at(','):
		sc.i++
		sc.ws()
		return true, nil
	case sc.at(closing):
		sc.i++
		return false, nil
	}
	return false, errSyntax
}

// str reads a string and returns its value (as encoding/json would decode
// it) and why the policy refuses it, if it does.
func (sc *jsonScan) str() (v, msg string, err error) {
	start := sc.i
	sc.i++ // the opening quote
	plain := true
	note := func(m string) {
		if msg == "" {
			msg = m
		}
	}
	for {
		if sc.i >= len(sc.b) {
			return "", "", errSyntax
		}
		c := sc.b[sc.i]
		switch {
		case c == '"':
			sc.i++
			raw := sc.b[start:sc.i]
			if plain {
				return string(raw[1 : len(raw)-1]), msg, nil
			}
			if json.Unmarshal(raw, &v) != nil {
				return "", "", errSyntax
			}
			return v, msg, nil
		case c < 0x20:
			return "", "", errSyntax
		case c == '\\':
			plain = false
			if sc.i+1 >= len(sc.b) {
				return "", "", errSyntax
			}
			switch sc.b[sc.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				sc.i += 2
				continue
			case 'u':
			default:
				return "", "", errSyntax
			}
			r, ok := sc.hex4(sc.i + 2)
			if !ok {
				return "", "", errSyntax
			}
			sc.i += 6
			switch {
			case r == 0:
				note(msgNUL)
			case r >= 0xDC00 && r <= 0xDFFF:
				note(msgSurrogate) // a low half with no high half before it
			case r >= 0xD800 && r <= 0xDBFF:
				if sc.i+1 < len(sc.b) && sc.b[sc.i] == '\\' && sc.b[sc.i+1] == 'u' {
					if low, ok := sc.hex4(sc.i + 2); ok && low >= 0xDC00 && low <= 0xDFFF {
						sc.i += 6
						continue
					}
				}
				note(msgSurrogate)
			}
		case c < utf8.RuneSelf:
			sc.i++
		default:
			plain = false
			r, size := utf8.DecodeRune(sc.b[sc.i:])
			if r == utf8.RuneError && size == 1 {
				note(msgUTF8)
			}
			sc.i += size
		}
	}
}

// hex4 reads the four hex digits of a \u escape at i.
func (sc *jsonScan) hex4(i int) (rune, bool) {
	if i+4 > len(sc.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(sc.b[i:i+4]), 16, 16)
	return rune(n), err == nil
}

func (sc *jsonScan) number(s *huma.Schema) error {
	start := sc.i
	for sc.i < len(sc.b) && strings.IndexByte("+-.eE0123456789", sc.b[sc.i]) >= 0 {
		sc.i++
	}
	raw := string(sc.b[start:sc.i])
	if s != nil && s.Type == huma.TypeNumber && s.Format == CentsFormat {
		if _, err := ParseCents(raw); err != nil {
			sc.fail(err.Error(), json.Number(raw))
		}
	}
	return nil
}
