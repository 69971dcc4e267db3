package retention_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/retention"
)

func TestCompliantFunction(t *testing.T) {
	// Argument positions, zero-based as function errors count them.
	const (
		argDays        = 0
		argMaxDays     = 1
		argMinimumDays = 2
	)
	null := types.Int64Null()
	n := types.Int64Value
	for _, tc := range []struct {
		name                   string
		days, maxDays, minimum types.Int64
		want                   bool
		errPos                 int64
	}{
		{name: "within", days: n(30), maxDays: n(365), minimum: null, want: true},
		{name: "at the maximum", days: n(365), maxDays: n(365), minimum: null, want: true},
		{name: "too long", days: n(366), maxDays: n(365), minimum: null},
		{name: "at the minimum", days: n(10), maxDays: n(365), minimum: n(10), want: true},
		{name: "too short", days: n(9), maxDays: n(365), minimum: n(10)},
		{name: "zero days", days: n(0), maxDays: n(1), minimum: null, want: true},
		{name: "negative days", days: n(-1), maxDays: n(1), minimum: null, errPos: argDays + 1},
		{name: "no maximum", days: n(1), maxDays: n(0), minimum: null, errPos: argMaxDays + 1},
		{name: "negative minimum", days: n(1), maxDays: n(1), minimum: n(-1), errPos: argMinimumDays + 1},
	} {
		got, err := acctest.RunFunction(t, retention.NewCompliantFunction(), tc.days, tc.maxDays, tc.minimum)
		if tc.errPos != 0 {
			if err == nil || *err.FunctionArgument != tc.errPos-1 {
				t.Errorf("%s: error = %v, want one on argument %d", tc.name, err, tc.errPos-1)
				continue
			}
			// Terraform prints `Invalid value for "days" parameter: <text>.`: the text must not end in a
			// period of its own, or the user reads "..".
			if strings.HasSuffix(err.Text, ".") {
				t.Errorf("%s: error text %q ends in a period; Terraform adds one", tc.name, err.Text)
			}
			continue
		}
		if err != nil || !got.Equal(types.BoolValue(tc.want)) {
			t.Errorf("%s: got %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
