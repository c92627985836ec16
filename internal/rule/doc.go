// Package rule is the match-rule language admins write when triaged's
// automatic grouping is not what they want, and what a rule does with the
// failures it matches.
//
// An expression tests the fields of one failing result:
//
//	repo       the repository, owner/name
//	branch     the branch the upload named ("" when it named none)
//	test       the full test id
//	text       the failure text, as stored
//	signature  the signature: its hash and its title (a test holds when
//	           either value passes it)
//	builder    the host or CI job that ran the test
//	os         the runner OS
//
// with the operators
//
//	field == "s"    equal
//	field != "s"    not equal
//	field ~ "re"    the RE2 regular expression matches somewhere in it
//	a && b, a || b, !a, ( a )
//
// && binds tighter than ||; ! tighter than both. A string is written in
// double quotes, where \" is a quote, \\ a backslash, \n and \t a newline
// and a tab, and any other backslash stays as it is, so that regular
// expressions read naturally: test ~ "^net\.TestLookup". A string may also
// be written between backquotes, taken literally.
//
// For example:
//
//	test ~ "^net\.TestLookup" && text ~ "no such host"
//	os == "windows" && (text ~ "WinError 10054" || text ~ "forcibly closed")
//
// Parse reports the column (in characters, from 1) where an expression
// stops making sense. Expressions are bounded (MaxLen bytes, MaxDepth
// nesting) and regular expressions are RE2, so evaluation takes time
// linear in the text and a rule cannot hang ingest.
package rule
