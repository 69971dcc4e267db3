package move_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccMoveObjects_badInputs plans every bad configuration of the action; each fails with the attribute's
// path, what is wrong and what is allowed, and nothing is invoked.
func TestAccMoveObjects_badInputs(t *testing.T) {
	acctest.RequireActions(t)
	action := func(body string) string {
		return acctest.ProviderConfig(acctest.Region, "") + `
action "gdpr_move_objects" "bad" {
  config {
` + body + `
  }
}
`
	}
	cases := map[string]struct{ body, want string }{
		"same bucket": {`    from = "records"
    to   = "records"`, `(?s)Source and target are the same bucket.*to.*from and to both name bucket "records", and a bucket cannot move its objects into itself`},
		"no target": {`    from = "records"`, `(?s)Missing required argument.*The argument "to" is required`},
		"target name in upper case": {`    from = "legacy"
    to   = "Records"`, `(?s)Invalid bucket name.*to.*The bucket name "Records" may contain only lower-case letters, digits, periods and hyphens, not 'R'`},
		"source name too short": {`    from = "ab"
    to   = "records"`, `(?s)from.*string length must be between 3 and 255, got: 2`},
		"empty prefix": {`    from   = "legacy"
    to     = "records"
    prefix = ""`, `(?s)prefix.*string length must be between 1 and 1024, got: 0`},
		"prefix above 1024 bytes": {fmt.Sprintf("    from   = \"legacy\"\n    to     = \"records\"\n    prefix = %q", strings.Repeat("é", 513)), `(?s)prefix.*string length must be between 1 and 1024, got: 1026`},
	}
	var inputs []acctest.BadInput
	for name, c := range cases {
		inputs = append(inputs, acctest.BadInput{Kind: "action", Name: name, Config: action(c.body), Want: acctest.Wrapped(c.want)})
	}
	acctest.RunBadInputs(t, inputs, 6)
}
