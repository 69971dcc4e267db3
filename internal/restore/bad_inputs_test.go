package restore_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccRestoreObjects_badInputs plans every bad configuration of the action; each fails with the
// attribute's path, what is wrong and what is allowed, and nothing is invoked.
func TestAccRestoreObjects_badInputs(t *testing.T) {
	acctest.RequireActions(t)
	action := func(body string) string {
		return acctest.ProviderConfig(acctest.Region, "") + `
action "gdpr_restore_objects" "bad" {
  config {
` + body + `
  }
}
`
	}
	const bucket = `    bucket  = "records"` + "\n"
	cases := map[string]struct{ body, want string }{
		"time without T": {bucket + `    to_time = "2026-12-01 09:30:00Z"`,
			`(?s)Invalid time.*to_time.*"2026-12-01 09:30:00Z" is not a time in RFC 3339. Write the date, a T, the time and the offset from UTC, such as "2026-12-01T09:30:00Z"`},
		"time without offset": {bucket + `    to_time = "2026-12-01T09:30:00"`,
			`(?s)Invalid time.*to_time.*"2026-12-01T09:30:00" is not a time in RFC 3339`},
		"date alone": {bucket + `    to_time = "2026-12-01"`, `(?s)Invalid time.*to_time.*"2026-12-01" is not a time in RFC 3339`},
		"time in the future": {bucket + `    to_time = "2999-01-01T00:00:00Z"`,
			`(?s)Time in the future.*to_time.*"2999-01-01T00:00:00Z" is in the future \(it is now \d{4}-.*Give a time before now`},
		"no time": {bucket, `(?s)Missing required argument.*The argument "to_time" is required`},
		"empty prefix": {bucket + `    to_time = "2026-12-01T09:30:00Z"
    prefix  = ""`, `(?s)prefix.*string length must be between 1 and 1024, got: 0`},
		"prefix above 1024 bytes": {bucket + fmt.Sprintf("    to_time = \"2026-12-01T09:30:00Z\"\n    prefix  = %q", strings.Repeat("é", 513)),
			`(?s)prefix.*string length must be between 1 and 1024, got: 1026`},
		"bucket name in upper case": {`    bucket  = "Records"
    to_time = "2026-12-01T09:30:00Z"`, `(?s)Invalid bucket name.*bucket.*The bucket name "Records" may contain only lower-case letters, digits, periods and hyphens, not 'R'`},
		"bucket name too short": {`    bucket  = "ab"
    to_time = "2026-12-01T09:30:00Z"`, `(?s)Invalid bucket name.*must be 3 to 63 characters long, not 2`},
	}
	var inputs []acctest.BadInput
	for name, c := range cases {
		inputs = append(inputs, acctest.BadInput{Kind: "action", Name: name, Config: action(c.body), Want: acctest.Wrapped(c.want)})
	}
	acctest.RunBadInputs(t, inputs, 9)
}
