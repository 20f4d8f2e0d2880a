package postmangen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// spec is the part of a service's OpenAPI 3.1 document the generator reads.
type spec struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
	ops map[string]*operation // "GET /clients/{id}"
}

type operation struct {
	Summary     string      `json:"summary"`
	Description string      `json:"description"`
	Parameters  []parameter `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]json.RawMessage `json:"responses"`
}

type parameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description"`
	Schema      *schema `json:"schema"`
}

type schema struct {
	Ref         string             `json:"$ref"`
	Type        json.RawMessage    `json:"type"` // "integer" or ["array", "null"]
	Format      string             `json:"format"`
	Properties  map[string]*schema `json:"properties"`
	Required    []string           `json:"required"`
	Items       *schema            `json:"items"`
	Enum        []any              `json:"enum"`
	Examples    []any              `json:"examples"`
	Default     any                `json:"default"`
	Minimum     *json.Number       `json:"minimum"`
	MinItems    int                `json:"minItems"`
	Description string             `json:"description"`
}

var methods = []string{"get", "put", "post", "delete", "patch", "head", "options"}

func parseSpec(raw []byte) (*spec, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // examples keep their exact text (19.99, 9007199254740991)
	var s spec
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	s.ops = map[string]*operation{}
	for path, byMethod := range s.Paths {
		for m, rawOp := range byMethod {
			if !slices.Contains(methods, m) {
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(rawOp))
			dec.UseNumber()
			var op operation
			if err := dec.Decode(&op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", m, path, err)
			}
			s.ops[strings.ToUpper(m)+" "+path] = &op
		}
	}
	return &s, nil
}

func (s *spec) operation(method, path string) *operation { return s.ops[method+" "+path] }

func (op *operation) param(in, name string) *parameter {
	for i, p := range op.Parameters {
		if p.In == in && strings.EqualFold(p.Name, name) {
			return &op.Parameters[i]
		}
	}
	return nil
}

// successStatus is the lowest 2xx status the operation documents (200
// when it names none).
func (op *operation) successStatus() int {
	best := 0
	for code := range op.Responses {
		n, err := strconv.Atoi(code)
		if err == nil && n >= 200 && n < 300 && (best == 0 || n < best) {
			best = n
		}
	}
	if best == 0 {
		return 200
	}
	return best
}

// resolve follows a local $ref.
func (sc *schema) resolve(s *spec) *schema {
	for depth := 0; sc != nil && sc.Ref != "" && s != nil && depth < 10; depth++ {
		sc = s.Components.Schemas[strings.TrimPrefix(sc.Ref, "#/components/schemas/")]
	}
	return sc
}

// types are the schema's types other than "null".
func (sc *schema) types() []string {
	var one string
	if json.Unmarshal(sc.Type, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(sc.Type, &many)
	return slices.DeleteFunc(many, func(t string) bool { return t == "null" })
}

// field is one member of an ordered JSON object.
type field struct {
	name  string
	value any
}

// ordered is a JSON object whose members keep the generator's order.
type ordered []field

// placeholder is a Postman variable written bare, where JSON wants a
// number ({{client_id}}), or inside quotes where it wants a string.
type placeholder struct {
	variable string
	number   bool
}

// example makes a value of the schema: its example when it has one, else
// its first enum value or default, else the least value its type allows.
// An object holds its required members, in the order the schema lists
// them, then its optional members that show an example, by name.
func (sc *schema) example(s *spec, depth int) any {
	sc = sc.resolve(s)
	if sc == nil || depth > 8 {
		return nil
	}
	switch {
	case len(sc.Examples) > 0:
		return sc.Examples[0]
	case len(sc.Enum) > 0:
		return sc.Enum[0]
	case sc.Default != nil:
		return sc.Default
	}
	types := sc.types()
	kind := ""
	if len(types) > 0 {
		kind = types[0]
	}
	switch kind {
	case "object":
		var o ordered
		for _, name := range sc.Required {
			if p := sc.Properties[name]; p != nil {
				o = append(o, field{name, memberValue(name, p, s, depth)})
			}
		}
		var optional []string
		for name, p := range sc.Properties {
			if !slices.Contains(sc.Required, name) && len(p.resolve(s).Examples) > 0 {
				optional = append(optional, name)
			}
		}
		sort.Strings(optional)
		for _, name := range optional {
			o = append(o, field{name, memberValue(name, sc.Properties[name], s, depth)})
		}
		return o
	case "array":
		n := max(sc.MinItems, 1)
		list := make([]any, n)
		for i := range list {
			list[i] = sc.Items.example(s, depth+1)
		}
		return list
	case "integer", "number":
		if sc.Minimum != nil {
			if f, err := sc.Minimum.Float64(); err == nil && f >= 1 {
				return *sc.Minimum
			}
		}
		return json.Number("1")
	case "boolean":
		return true
	case "string":
		switch sc.Format {
		case "date-time":
			return "2026-01-01T00:00:00Z"
		case "date":
			return "2026-01-01"
		case "email":
			return "ana@exemple.ca"
		case "uuid":
			return "00000000-0000-0000-0000-000000000000"
		}
		return "texte"
	}
	return nil
}

// memberValue is an object member's example, or the collection variable its
// name stands for: a client_id is the collection's customer, an email a
// fresh one, since an email is taken once.
func memberValue(name string, p *schema, s *spec, depth int) any {
	r := p.resolve(s)
	if ph, ok := named(name, r); ok {
		return ph
	}
	if r != nil && r.Format == "email" {
		return placeholder{variable: "$randomEmail"}
	}
	return p.example(s, depth+1)
}

// writeJSON writes an example value with two-space indentation, keeping
// ordered members in order and placeholders as Postman variables.
func writeJSON(buf *bytes.Buffer, v any, indent string) {
	in := indent + "  "
	switch x := v.(type) {
	case ordered:
		if len(x) == 0 {
			buf.WriteString("{}")
			return
		}
		buf.WriteString("{\n")
		for i, f := range x {
			buf.WriteString(in)
			writeString(buf, f.name)
			buf.WriteString(": ")
			writeJSON(buf, f.value, in)
			if i < len(x)-1 {
				buf.WriteString(",")
			}
			buf.WriteString("\n")
		}
		buf.WriteString(indent + "}")
	case []any:
		if len(x) == 0 {
			buf.WriteString("[]")
			return
		}
		buf.WriteString("[\n")
		for i, e := range x {
			buf.WriteString(in)
			writeJSON(buf, e, in)
			if i < len(x)-1 {
				buf.WriteString(",")
			}
			buf.WriteString("\n")
		}
		buf.WriteString(indent + "]")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := make(ordered, len(keys))
		for i, k := range keys {
			o[i] = field{k, x[k]}
		}
		writeJSON(buf, o, indent)
	case placeholder:
		if x.number {
			buf.WriteString("{{" + x.variable + "}}")
		} else {
			buf.WriteString(`"{{` + x.variable + `}}"`)
		}
	case string:
		writeString(buf, x)
	case json.Number:
		buf.WriteString(x.String())
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	default:
		buf.WriteString("null")
	}
}

func writeString(buf *bytes.Buffer, s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	buf.Write(bytes.TrimRight(b.Bytes(), "\n"))
}

// scalarText is an example as text, for a path, query or form value.
func scalarText(v any) string {
	switch x := v.(type) {
	case placeholder:
		return "{{" + x.variable + "}}"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = scalarText(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}
