package signature

import "strings"

// rspec handles an RSpec failure:
//
//	Failures:
//	  1) Teams GET /api/teams/:name Get
//	     Failure/Error: expect(status).to eq(200)
//	       expected: 200
//	            got: 404
//	     # ./spec/acceptance/teams_spec.rb:12:in `block (3 levels) in <top>'
//
// An expectation that failed is the test's own: the test (its full
// description) and the expectation's source line are the reason, not the
// values the message shows. An error raised on the way ("NoMethodError:"
// below the source line) is keyed as an exception is elsewhere: its type
// and message, and where it was raised only where that says too little.
func (k *key) rspec() bool {
	lines := k.lines
	at := -1
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "Failure/Error:") {
			at = i
			break
		}
	}
	if at < 0 {
		return false
	}
	k.kind = "ruby"
	test, testAt := rspecTitle(lines, at)
	code, codeAt := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[at]), "Failure/Error:")), at
	indent := len(lines[at]) - len(strings.TrimLeft(lines[at], " "))
	next := at + 1
	if code == "" {
		for ; next < len(lines) && next < at+4; next++ {
			if t := strings.TrimSpace(lines[next]); t != "" {
				code, codeAt = t, next
				next++
				break
			}
		}
	}
	// The message: past the rest of the source (indented deeper) and
	// blank lines, up to the location ("# ./spec/x_spec.rb:12").
	typ, msg, msgAt, loc, locAt := "", "", -1, "", -1
	for i := next; i < len(lines) && i < next+40; i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "# ") {
			if file, _, ok := strings.Cut(t[2:], ":"); ok && strings.HasSuffix(file, ".rb") {
				loc, locAt = baseName(file), i
			}
			break
		}
		rt, rm := rubyExcType(t)
		// The error's type is printed level with "Failure/Error:".
		if ind := len(lines[i]) - len(strings.TrimLeft(lines[i], " ")); ind < indent || ind == indent && rt == "" || mochaNumbered(t) {
			break
		}
		if msgAt < 0 && rt != "" {
			typ, msg, msgAt = rt, rm, i
			if msg == "" && i+1 < len(lines) {
				msg = strings.TrimSpace(lines[i+1])
			}
		}
	}
	if typ != "" && !strings.HasSuffix(typ, "ExpectationNotMetError") {
		k.title = k.addMsg("exception", msgAt, typ+": "+msg)
		if loc != "" && whereMatters(typ, msg) {
			k.add("at", locAt, loc)
		}
		return true
	}
	if test != "" {
		k.add("test", testAt, test)
	}
	k.title = k.addMsg("expectation", codeAt, code)
	if test != "" {
		k.title = test + ": " + k.title
	}
	return true
}

// rspecTitle reads the numbered description above an RSpec failure's
// "Failure/Error:" line at line at, which RSpec may wrap.
func rspecTitle(lines []string, at int) (string, int) {
	for i := at - 1; i >= 0 && i >= at-6; i-- {
		t := strings.TrimSpace(lines[i])
		if !mochaNumbered(t) {
			continue
		}
		parts := []string{t[strings.IndexByte(t, ')')+2:]}
		for j := i + 1; j < at; j++ {
			if c := strings.TrimSpace(lines[j]); c != "" {
				parts = append(parts, c)
			}
		}
		return strings.Join(parts, " "), i
	}
	return "", -1
}

// rubyExcType splits "NoMethodError:" or "ActiveRecord::RecordNotFound:
// Couldn't find User" into the type's last name and the message, or
// returns "" when the line does not start with an error type.
func rubyExcType(t string) (typ, msg string) {
	end := 0
	for end < len(t) && (isWord(t[end]) || t[end] == ':' && end+1 < len(t) && t[end+1] == ':') {
		if t[end] == ':' {
			end++
		}
		end++
	}
	if end == 0 || end >= len(t)+1 || (end < len(t) && t[end] != ':') {
		return "", ""
	}
	name := t[:end]
	if k := strings.LastIndex(name, "::"); k >= 0 {
		name = name[k+2:]
	}
	if name == "" || name[0] < 'A' || name[0] > 'Z' || !(strings.HasSuffix(name, "Error") || strings.HasSuffix(name, "Exception") ||
		strings.HasSuffix(name, "NotFound") || strings.HasSuffix(name, "Invalid")) {
		return "", ""
	}
	if end < len(t) {
		msg = strings.TrimSpace(t[end+1:])
	}
	return name, msg
}

// minitest handles a minitest (and Rails test) failure:
//
//	Finished in 0.012s, 83.3 runs/s, 83.3 assertions/s.
//	  1) Failure:
//	FooTest#test_bar [/src/test/foo_test.rb:12]:
//	Expected: 1
//	  Actual: 2
//
// or the same on one line ("1) Failure: FooTest#test_bar [x.rb:12]:
// Expected nil to be truthy."). An assertion is the test's own: its test
// class and the message's first line, values masked. An error ("Error:",
// then "FooTest#test_bar:" and "NameError: …") is keyed on its type and
// message.
func (k *key) minitest() bool {
	lines := k.lines
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if mochaNumbered(t) {
			t = strings.TrimSpace(t[strings.IndexByte(t, ')')+1:])
		}
		kind, rest, ok := strings.Cut(t, ":")
		if !ok || (kind != "Failure" && kind != "Error") {
			continue
		}
		rest = strings.TrimSpace(rest)
		idAt := i
		if rest == "" && i+1 < len(lines) {
			rest, idAt = strings.TrimSpace(lines[i+1]), i+1
		}
		id, msg, ok := minitestID(rest)
		if !ok {
			continue
		}
		msgAt := idAt
		if msg == "" && idAt+1 < len(lines) {
			msg, msgAt = strings.TrimSpace(lines[idAt+1]), idAt+1
		}
		k.kind = "ruby"
		class, _, _ := strings.Cut(id, "#")
		if typ, m := rubyExcType(msg); kind == "Error" && typ != "" {
			k.title = k.addMsg("exception", msgAt, typ+": "+m)
			if whereMatters(typ, m) {
				k.add("at", idAt, class)
			}
			return true
		}
		k.add("at", idAt, class)
		k.values = true
		k.title = class + ": " + k.addMsg("exception", msgAt, msg)
		k.values = false
		return true
	}
	return false
}

// minitestID reads "FooTest#test_bar [/src/foo_test.rb:12]:" (a
// failure) or "FooTest#test_bar:" (an error), with whatever message
// follows on the line.
func minitestID(t string) (id, msg string, ok bool) {
	h := strings.IndexByte(t, '#')
	if h <= 0 {
		return "", "", false
	}
	// A spec-style test's class is its description: it may hold blanks.
	if b := strings.LastIndex(t, " ["); b > h {
		e := strings.Index(t[b:], "]:")
		if e < 0 || !strings.Contains(t[b:b+e], ".rb:") {
			return "", "", false
		}
		return t[:b], strings.TrimSpace(t[b+e+2:]), true
	}
	if strings.ContainsAny(t[:h], " \t") {
		return "", "", false
	}
	if c := strings.Index(t, ": "); c > h {
		return t[:c], strings.TrimSpace(t[c+2:]), true
	}
	if strings.HasSuffix(t, ":") {
		return t[:len(t)-1], "", true
	}
	return "", "", false
}
