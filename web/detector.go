package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// anomaly is one finding of the data-loss detector, read leniently: the
// detector's report is written by the stress scenarios and may grow or lack
// fields, so every field is optional and unknown ones are kept as Extra.
type anomaly struct {
	Kind       string      `json:"kind,omitempty"`
	Phase      string      `json:"phase,omitempty"`
	Offset     *float64    `json:"offset,omitempty"`
	Length     *float64    `json:"length,omitempty"`
	ReceivedAt *float64    `json:"received_at,omitempty"`
	Detail     string      `json:"detail,omitempty"`
	Trace      []string    `json:"trace,omitempty"`
	Extra      [][2]string `json:"extra,omitempty"`
}

// parseDetector extracts the anomalies of a detector report: the objects
// under "anomalies", or the report itself when it is one finding (has a
// "kind"), or "first_failure". Anything unreadable yields none, never an
// error: a page must not fail on a report it does not understand.
func parseDetector(raw []byte) []anomaly {
	if len(raw) == 0 {
		return nil
	}
	var doc map[string]any
	if json.Unmarshal(raw, &doc) != nil {
		return nil
	}
	var items []any
	switch a := doc["anomalies"].(type) {
	case []any:
		items = a
	default:
		if _, ok := doc["kind"]; ok {
			items = []any{doc}
		} else if ff, ok := doc["first_failure"].(map[string]any); ok {
			items = []any{ff}
		}
	}
	var out []anomaly
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, readAnomaly(m))
		}
	}
	return out
}

func readAnomaly(m map[string]any) anomaly {
	var a anomaly
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		switch k {
		case "kind":
			a.Kind = scalar(v)
		case "phase":
			a.Phase = scalar(v)
		case "detail":
			a.Detail = scalar(v)
		case "offset":
			a.Offset = number(v)
		case "length":
			a.Length = number(v)
		case "received_at":
			a.ReceivedAt = number(v)
		case "trace":
			if list, ok := v.([]any); ok {
				for _, step := range list {
					a.Trace = append(a.Trace, traceLine(step))
				}
			} else if v != nil {
				a.Trace = []string{scalar(v)}
			}
		default:
			a.Extra = append(a.Extra, [2]string{k, scalar(v)})
		}
	}
	return a
}

// traceLine renders one trace step as "key=value key=value", keys sorted.
func traceLine(step any) string {
	m, ok := step.(map[string]any)
	if !ok {
		return scalar(step)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// What a reader follows first: which operation, what happened to it.
	first := map[string]int{"op": 1, "id": 2, "seq": 3, "event": 4, "phase": 5, "cancel": 6, "result": 7, "bytes": 8}
	sort.Slice(keys, func(i, j int) bool {
		a, b := first[keys[i]], first[keys[j]]
		switch {
		case a != 0 && b != 0:
			return a < b
		case a != 0 || b != 0:
			return a != 0
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + scalar(m[k])
	}
	return strings.Join(parts, " ")
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func number(v any) *float64 {
	switch x := v.(type) {
	case float64:
		return &x
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return &f
		}
	}
	return nil
}

// num formats an optional number for a table cell.
func num(f *float64) string {
	if f == nil {
		return "–"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}
