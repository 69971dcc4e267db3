package audit

// The two forms of a timeline: JSON for scripts, Markdown for the annex of a breach notification, and the
// escaping that keeps a value from an edited trail inside its table cell.

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// JSON writes the timeline as one indented JSON object, whose fields the audit guide documents.
func (t *Timeline) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// Markdown writes the timeline for the annex of a notification: the summary, one table of the events in
// the order of the file, the stores with where they are, the replacements, the gaps and what the trail
// cannot tell. Every value taken from the file is shown as code, with what could break the table or hide
// text (pipes, backticks, control and format characters) escaped and long values cut short, because an
// edited line may hold anything.
func (t *Timeline) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Audit timeline\n\nFrom the audit file %s, events from %s to %s (UTC).\n\n**Summary:** %s\n",
		md(t.File), t.Since.Format(time.RFC3339), t.Until.Format(time.RFC3339), text(t.Summary))

	b.WriteString("\n## Events\n\n")
	if len(t.Events) == 0 {
		b.WriteString("No event of the file falls in this range.\n")
	} else {
		b.WriteString("| Line | Time (UTC) | Action | Store | Who | What changed | Status |\n" +
			"|---:|---|---|---|---|---|---|\n")
		for _, e := range t.Events {
			action := known(string(e.Event.Action), string(Create), string(Delete), string(Move), string(Erase),
				string(Restore), string(Isolate))
			if e.Replacement > 0 {
				action += fmt.Sprintf(" (replacement %d)", e.Replacement)
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s |\n", e.Line, utc(e.Event.Time).Format(time.RFC3339),
				action, storeName(e.StoreKind, e.Event.CloudID), who(e.Event, md), changed(e.Event, md), statusCell(e))
		}
	}

	b.WriteString("\n## Stores\n\n")
	if len(t.Stores) == 0 {
		b.WriteString("No store has an event in this range.\n")
	} else {
		b.WriteString("| Store | Region | Jurisdiction | Events |\n|---|---|---|---:|\n")
		for _, s := range t.Stores {
			fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", storeName(s.Kind, s.CloudID), mdList(s.Regions),
				mdList(s.Jurisdictions), s.Events)
		}
	}

	b.WriteString("\n## Replacements\n\n")
	if len(t.Replacements) == 0 {
		b.WriteString("None that the trail proves. A create and a delete listed apart are not shown as a " +
			"replacement: only a move event links the two.\n")
	}
	for _, r := range t.Replacements {
		fmt.Fprintf(&b, "%d. %s replaced by %s: %s.\n", r.Number, storeName(r.Kind, r.From), md(r.To), replacementParts(r))
	}

	b.WriteString("\n## Gaps\n\n")
	if len(t.Gaps) == 0 {
		b.WriteString("None found: every line is an event, the chain is intact, and no event waits in the outbox.\n")
	}
	for _, g := range t.Gaps {
		b.WriteString("- " + gapLine(g) + "\n")
	}

	b.WriteString("\n## What this trail cannot tell\n\n")
	for _, s := range t.CannotTell {
		b.WriteString("- " + text(s) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// statusCell is the Status column: the status, and why for an unverified event.
func statusCell(e Entry) string {
	if e.Status == StatusUnverified {
		return "**unverified**: " + text(e.Reason)
	}
	return string(e.Status)
}

// replacementParts says what the trail holds of a replacement, in the order it happened.
func replacementParts(r Replacement) string {
	part := func(what string, line int) string {
		if line == 0 {
			return what + " (not in the trail, or unverified)"
		}
		return fmt.Sprintf("%s (line %d)", what, line)
	}
	moved := part("the data moved", r.MoveLine)
	if r.Kind == "database" {
		return part("the old database deleted", r.DeleteLine) + ", " + moved + ", " + part("the new one created", r.CreateLine)
	}
	return part("the new bucket created", r.CreateLine) + ", " + moved + ", " + part("the old one deleted", r.DeleteLine)
}

// gapLine is one item of the Gaps section.
func gapLine(g Gap) string {
	switch {
	case g.Kind == GapVerification && g.LastLine > g.Line && g.Count > 1 && !strings.Contains(g.Message, "chain is broken"):
		return fmt.Sprintf("Lines %d to %d (%d events): %s.", g.Line, g.LastLine, g.Count, text(g.Message))
	case g.Kind == GapVerification:
		return fmt.Sprintf("Line %d: %s.", g.Line, text(g.Message))
	case g.Kind == GapOutbox && len(g.Times) > 0:
		const shown = 10
		times := make([]string, 0, shown)
		for _, at := range g.Times[:min(shown, len(g.Times))] {
			times = append(times, at.Format(time.RFC3339))
		}
		more := ""
		if len(g.Times) > shown {
			more = fmt.Sprintf(" and %d more", len(g.Times)-shown)
		}
		return text(g.Message) + " Their times: " + strings.Join(times, ", ") + more + "."
	}
	return text(g.Message)
}

// storeName names a store by its kind and cloud id.
func storeName(kind, cloudID string) string {
	return known(kind, "key", "bucket", "server", "database") + " " + md(cloudID)
}

// known writes v as it is when it is one of the words given, and as code otherwise.
func known(v string, words ...string) string {
	if slices.Contains(words, v) {
		return v
	}
	return md(v)
}

func mdList(values []string) string {
	if len(values) == 0 {
		return "not recorded"
	}
	items := make([]string, len(values))
	for i, v := range values {
		items[i] = md(v)
	}
	return strings.Join(items, ", ")
}

// maxShown is how many bytes of one value the Markdown form shows.
const maxShown = 200

// md shows a value from the file as a Markdown code span in a table cell: visible, cut short, and unable
// to end the span or the cell.
func md(s string) string {
	if s == "" {
		return "(empty)"
	}
	s, more := cut(s, maxShown)
	s = visible(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence + more
}

// text shows a sentence that may quote the file (a reason, a path) as Markdown text: visible, cut short,
// with the characters Markdown would read as markup escaped.
func text(s string) string {
	s, more := cut(s, 4*maxShown)
	var b strings.Builder
	for _, r := range visible(s) {
		if strings.ContainsRune("\\`*_[]<>|~&#!", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String() + more
}

// cut shortens s to at most n bytes, on a character boundary, and says how much was left out.
func cut(s string, n int) (string, string) {
	if len(s) <= n {
		return s, ""
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], fmt.Sprintf("… (%d more bytes)", len(s)-i)
}

// visible writes control and format characters (line breaks, bidirectional overrides, zero-width
// characters) and bytes that are not UTF-8 as escapes, so that what is shown is what the file holds.
func visible(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
