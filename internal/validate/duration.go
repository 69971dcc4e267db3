package validate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// durationValidator admits a Go duration string ("1h", "90m", "1h30m") between min and max, inclusive.
type durationValidator struct{ min, max time.Duration }

// DurationBetween admits Go duration strings from min to max, as hashicorp/aws writes role session
// durations.
func DurationBetween(minimum, maximum time.Duration) validator.String {
	return durationValidator{minimum, maximum}
}

func (v durationValidator) Description(_ context.Context) string {
	return fmt.Sprintf("value must be a duration such as \"1h\" or \"90m\", from %s to %s", short(v.min), short(v.max))
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(raw)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q is not a duration: write a number and a unit, such as \"1h\", \"90m\" or \"1h30m\", from %s to %s.",
				raw, short(v.min), short(v.max)))
		return
	}
	if d < v.min || d > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration out of range",
			fmt.Sprintf("%q is %s; STS allows sessions from %s to %s.", raw, short(d), short(v.min), short(v.max)))
	}
}

// short writes a duration without zero units: 15m rather than 15m0s.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
