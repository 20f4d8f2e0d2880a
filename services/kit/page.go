package kit

// PageQuery is embedded in the input of every list endpoint.
type PageQuery struct {
	Limit  int `query:"limit" default:"50" minimum:"1" maximum:"500" doc:"Page size."`
	Offset int `query:"offset" default:"0" minimum:"0" maximum:"1000000" doc:"Rows to skip."`
}

// Page is the body of every list answer.
type Page[T any] struct {
	Items  []T   `json:"items" nullable:"false"`
	Total  int64 `json:"total" doc:"Rows matching the filters, over all pages."`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}

// NewPage never returns a null items list, so clients can always iterate.
func NewPage[T any](items []T, total int64, q PageQuery) Page[T] {
	if items == nil {
		items = []T{}
	}
	return Page[T]{Items: items, Total: total, Limit: q.Limit, Offset: q.Offset}
}
