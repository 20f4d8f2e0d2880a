package postmangen

// The Postman collection format v2.1 and environment format, only the parts
// the generator writes, in the order Postman itself writes them.

type collection struct {
	Info     info       `json:"info"`
	Item     []item     `json:"item"`
	Auth     *auth      `json:"auth,omitempty"`
	Event    []event    `json:"event,omitempty"`
	Variable []variable `json:"variable,omitempty"`
}

type info struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema"`
}

// item is a folder (Item set) or a request (Request set).
type item struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Item        []item   `json:"item,omitempty"`
	Event       []event  `json:"event,omitempty"`
	Request     *request `json:"request,omitempty"`
}

type request struct {
	Method      string   `json:"method"`
	Header      []header `json:"header"`
	Body        *body    `json:"body,omitempty"`
	URL         *pmURL   `json:"url"`
	Auth        *auth    `json:"auth,omitempty"`
	Description string   `json:"description,omitempty"`
}

type header struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
}

type body struct {
	Mode       string       `json:"mode"`
	Raw        string       `json:"raw,omitempty"`
	URLEncoded []formField  `json:"urlencoded,omitempty"`
	Options    *bodyOptions `json:"options,omitempty"`
}

type formField struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

type bodyOptions struct {
	Raw rawOptions `json:"raw"`
}

type rawOptions struct {
	Language string `json:"language"`
}

type pmURL struct {
	Raw      string   `json:"raw"`
	Host     []string `json:"host"`
	Path     []string `json:"path"`
	Query    []query  `json:"query,omitempty"`
	Variable []urlVar `json:"variable,omitempty"`
}

type query struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
	Disabled    bool   `json:"disabled,omitempty"`
}

type urlVar struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
}

type auth struct {
	Type   string      `json:"type"`
	Bearer []authParam `json:"bearer,omitempty"`
}

type authParam struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

type event struct {
	Listen string `json:"listen"`
	Script script `json:"script"`
}

type script struct {
	Type string   `json:"type"`
	Exec []string `json:"exec"`
}

type variable struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

type environment struct {
	Name   string     `json:"name"`
	Values []envValue `json:"values"`
	Scope  string     `json:"_postman_variable_scope"`
}

type envValue struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Type    string `json:"type"`
	Enabled bool   `json:"enabled"`
}
