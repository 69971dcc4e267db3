package planrules

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// repeated is an io.Reader of n bytes that repeat pattern, so that a test can send a plan far larger
// than it holds.
type repeated struct {
	block []byte
	at    int
	n     int64
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	n := copy(p, r.block[r.at:])
	r.at = (r.at + n) % len(r.block)
	r.n -= int64(n)
	return n, nil
}

// planAround is a plan whose text is prefix, then n bytes repeating pattern, then suffix, read as a stream.
func planAround(prefix, pattern string, n int64, suffix string) io.Reader {
	block := []byte(strings.Repeat(pattern, (32<<10)/len(pattern)))
	return io.MultiReader(strings.NewReader(prefix), &repeated{block: block, n: n}, strings.NewReader(suffix))
}

// allocatedBy reports the bytes f allocates in all, which bounds what it can hold at once.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestEvaluate_readsThroughAHugeStringWithoutHoldingIt: a plan whose one string is 200 MB, in a value the
// rules do not read (prior_state) and in one they do (a gdpr_* resource's planned values), is evaluated in
// full while allocating a few MiB: the string is hashed as it streams past, never held.
func TestEvaluate_readsThroughAHugeStringWithoutHoldingIt(t *testing.T) {
	const huge = 200 << 20
	const limit = 8 << 20
	cases := []struct {
		name           string
		prefix, suffix string
		want           []string
	}{
		{"in prior_state", `{"format_version":"1.2","prior_state":{"values":{"x":"`,
			`"}},"resource_changes":[` + changeOf("aws_sqs_queue.q", `["create"]`, `null`, `{"region":"us-east-1"}`) + `]}`,
			[]string{"residency:aws_sqs_queue.q"}},
		{"in the planned values of a gdpr_* update", `{"format_version":"1.2","resource_changes":[{"address":"gdpr_server.s","mode":"managed","type":"gdpr_server","name":"s","change":{"actions":["update"],"before":{"user_data":"short"},"after":{"user_data":"`,
			`"},"after_unknown":{}}}]}`,
			[]string{"gdpr-in-place-update:gdpr_server.s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var err error
			allocated := allocatedBy(func() {
				var r Result
				r, err = Evaluate(planAround(tc.prefix, "a", huge, tc.suffix), Config{})
				for _, f := range r.Findings {
					got = append(got, f.Rule+":"+f.Address)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
			if allocated > limit {
				t.Fatalf("evaluating a plan with a 200 MB string allocated %d MiB; the string must stream past, not be held (limit %d MiB)", allocated>>20, limit>>20)
			}
		})
	}
}

// TestEvaluate_longStringsCompareByContent: two long strings stand for their content, so a gdpr_* update
// that changes only the end of a long value is still an update, and an unchanged long value is not.
func TestEvaluate_longStringsCompareByContent(t *testing.T) {
	long := strings.Repeat("x", DefaultMaxStringBytes+10)
	changed := long[:len(long)-1] + "y"
	cfg := Config{}
	if got := findings(t, planOf("", changeOf("gdpr_server.s", `["update"]`, `{"user_data":"`+long+`","force_destroy":false}`, `{"user_data":"`+changed+`","force_destroy":false}`)), cfg); !slices.Equal(got, []string{"gdpr-in-place-update:gdpr_server.s"}) {
		t.Fatalf("a changed long value: findings %v", got)
	}
	if got := findings(t, planOf("", changeOf("gdpr_server.s", `["update"]`, `{"user_data":"`+long+`","force_destroy":false}`, `{"user_data":"`+long+`","force_destroy":true}`)), cfg); len(got) != 0 {
		t.Fatalf("an unchanged long value: findings %v", got)
	}
	escaped := strings.Repeat(`\"`, DefaultMaxStringBytes)
	if got := findings(t, planOf("", changeOf("aws_sqs_queue.q", `["create"]`, `null`, `{"name":"`+escaped+`","region":"us-east-1"}`)), cfg); !slices.Equal(got, []string{"residency:aws_sqs_queue.q"}) {
		t.Fatalf("a long value of escaped quotes: findings %v", got)
	}
}

// TestEvaluate_refusesAValueOverTheLimit: a resource change whose structure alone (many short values) is
// larger than MaxValueBytes is refused with an error naming it, after holding no more than the limit.
func TestEvaluate_refusesAValueOverTheLimit(t *testing.T) {
	const huge = 24 << 20
	prefix := `{"format_version":"1.2","resource_changes":[` + changeOf("aws_sqs_queue.a", `["create"]`, `null`, `{"region":"eu-west-1"}`) +
		`,{"address":"aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q","change":{"actions":["create"],"before":null,"after":{"list":[1`
	var err error
	allocated := allocatedBy(func() {
		_, err = Evaluate(planAround(prefix, ",1", huge, `]}}}]}`), Config{})
	})
	var limit *LimitError
	if !errors.As(err, &limit) || limit.What != "resource change 1" || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Fatalf("error %v, want a *LimitError naming resource change 1", err)
	}
	// The decoder's buffer doubles as it grows, to twice the limit at most: four times the limit in all.
	if allocated > 5*DefaultMaxValueBytes {
		t.Fatalf("refusing the value allocated %d MiB, more than five times the limit", allocated>>20)
	}
	var held error
	allocated = allocatedBy(func() {
		_, held = Evaluate(planAround(`{"format_version":"1.2","resource_changes":[],"prior_state":{"v":[`, " ", huge, `]}}`), Config{})
	})
	if held != nil || allocated > 8<<20 {
		t.Fatalf("24 MB of whitespace in prior_state: error %v, %d MiB allocated; want none and a few MiB", held, allocated>>20)
	}
}

// TestEvaluate_formatVersion: a plan whose format_version has another major version, or none, is refused
// rather than passed unread.
func TestEvaluate_formatVersion(t *testing.T) {
	change := changeOf("aws_sqs_queue.q", `["create"]`, `null`, `{"region":"eu-west-1"}`)
	if _, err := Evaluate(strings.NewReader(`{"format_version":"1.9","resource_changes":[`+change+`]}`), Config{}); err != nil {
		t.Fatalf("format 1.9: %v", err)
	}
	_, err := Evaluate(strings.NewReader(`{"format_version":"2.0","resource_changes":[`+change+`]}`), Config{})
	if !errors.Is(err, ErrUnsupportedFormat) || !strings.Contains(err.Error(), `format_version "2.0"`) {
		t.Fatalf("format 2.0: %v, want ErrUnsupportedFormat naming the version", err)
	}
	_, err = Evaluate(strings.NewReader(`{"resource_changes":[`+change+`]}`), Config{})
	if !errors.Is(err, ErrNotAPlan) || !strings.Contains(err.Error(), "no format_version") {
		t.Fatalf("no format_version: %v, want ErrNotAPlan", err)
	}
}

// TestEvaluate_boundsWhatWaitsForTheConfiguration: the planned values of gdpr_* resources that stay wait
// for the configuration, which comes after the changes; past MaxPendingBytes the plan is refused, naming
// what grew, instead of held.
func TestEvaluate_boundsWhatWaitsForTheConfiguration(t *testing.T) {
	changes := make([]string, 100)
	for i := range changes {
		changes[i] = changeOf(fmt.Sprintf("gdpr_key.k%d", i), `["no-op"]`, `{"description":"a"}`, `{"description":"a","policy":"`+strings.Repeat("p", 100)+`"}`)
	}
	plan := planOf("", changes...)
	if _, err := Evaluate(strings.NewReader(plan), Config{}); err != nil {
		t.Fatalf("under the default limit: %v", err)
	}
	_, err := Evaluate(strings.NewReader(plan), Config{Limits: Limits{MaxPendingBytes: 4 << 10}})
	var limit *LimitError
	if !errors.As(err, &limit) || !strings.Contains(err.Error(), "the planned values that wait for the plan's configuration") {
		t.Fatalf("error %v, want a *LimitError naming what waits for the configuration", err)
	}
}
