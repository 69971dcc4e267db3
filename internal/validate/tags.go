package validate

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// The limits of a tags argument. They are AWS's documented tag restrictions, which KMS, S3 and EC2 share; the
// validator, its errors and every tags description print these constants, so the docs and the code agree.
const (
	// awsTagsPerResource is how many user tags AWS allows on one key, bucket or instance.
	awsTagsPerResource = 50
	// MaxTags is one fewer than AWS allows: while a create runs, the provider writes its own creation marker
	// (awsapi.CreatingTag) next to the configured tags, and KMS and EC2 count it, so a 50th tag would fail
	// the apply with TagLimitExceeded after the plan said it would work.
	MaxTags = awsTagsPerResource - 1
	// MaxServerTags leaves room on an instance for three tags of the provider's own at once: ManagedTag,
	// which every server carries, and either the creation marker or the two tags gdpr_isolate_server adds
	// (awsapi.IncidentTag, awsapi.IsolatedAtTag); a 48th tag would fail the launch or the isolation.
	MaxServerTags     = awsTagsPerResource - 3
	MaxTagKeyLength   = 128
	MaxTagValueLength = 256
	// ReservedTagPrefix starts the keys AWS keeps for its own tags, in any case.
	ReservedTagPrefix = "aws:"
	// TagCharacters is what tag keys and values may contain, in words.
	TagCharacters = "letters, numbers, spaces and the characters `_ . : / = + - @`"
)

// tagCharsPattern is the character set AWS documents as accepted by every service's tags (letters, numbers,
// separators and _ . : / = + - @). It leaves out control characters: a value holding one is stored
// differently than sent, so every later plan would report a change. Compiled on first use rather than at
// every process start: its Unicode classes compile to large tables, which only tag validation needs.
var tagCharsPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`) })

// TagsDescription is the sentence every tags argument's description ends with, stating the limits the
// validator enforces.
func TagsDescription() string {
	return fmt.Sprintf("At most %d tags (AWS allows %d, and the provider writes one of its own while creating). "+
		"Keys are 1 to %d characters and values at most %d, made of %s. Keys must not start with `%s` in any "+
		"case, which AWS reserves, and must not be `%s`, the provider's own marker of a resource whose create "+
		"has not finished, nor `%s` or `%s`, which record a bucket's data move.",
		MaxTags, awsTagsPerResource, MaxTagKeyLength, MaxTagValueLength, TagCharacters, ReservedTagPrefix, awsapi.CreatingTag,
		awsapi.MovingToTag, awsapi.MovedFromTag)
}

// ServerTagsDescription is TagsDescription for gdpr_server, whose instances carry more of the provider's tags.
func ServerTagsDescription() string {
	return fmt.Sprintf("At most %d tags (AWS allows %d; the provider writes `%s` on every server, `%s` while creating it, "+
		"and `gdpr_isolate_server` adds `%s` and `%s`). Keys are 1 to %d characters and values at most %d, made of %s. "+
		"Keys must not start with `%s` in any case, which AWS reserves, and must not be one of the provider's own "+
		"tags named here.",
		MaxServerTags, awsTagsPerResource, awsapi.ManagedTag, awsapi.CreatingTag, awsapi.IncidentTag, awsapi.IsolatedAtTag,
		MaxTagKeyLength, MaxTagValueLength, TagCharacters, ReservedTagPrefix)
}

// tagsValidator holds every rule of a tags argument, so gdpr_key, gdpr_bucket and gdpr_server refuse the
// same tags at validate, each problem on the tag's own path, instead of failing at apply or drifting forever.
// Only how many tags fit differs: max, and why says what takes the other places.
type tagsValidator struct {
	max int
	why string
}

// Tags validates a tags map: how many tags, each key's and value's length and characters, the keys AWS
// reserves and the keys the provider writes itself.
func Tags() validator.Map {
	return tagsValidator{max: MaxTags, why: fmt.Sprintf("the provider adds its own %q tag while it creates the resource", awsapi.CreatingTag)}
}

// ServerTags is Tags for gdpr_server, which leaves room for the provider's tags on an instance (see
// MaxServerTags).
func ServerTags() validator.Map {
	return tagsValidator{max: MaxServerTags, why: fmt.Sprintf("the provider adds its own %q tag to every server, %q while "+
		"it creates one, and gdpr_isolate_server adds %q and %q", awsapi.ManagedTag, awsapi.CreatingTag, awsapi.IncidentTag, awsapi.IsolatedAtTag)}
}

func (v tagsValidator) Description(_ context.Context) string {
	return fmt.Sprintf("at most %d tags; keys of 1 to %d and values of at most %d letters, numbers, spaces or _ . : / = + - @; "+
		"keys not starting with %q nor one of the provider's own (%s)", v.max, MaxTagKeyLength, MaxTagValueLength, ReservedTagPrefix,
		strings.Join(providerTagKeys(), ", "))
}

func (v tagsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v tagsValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	if n := len(elems); n > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Too many tags",
			fmt.Sprintf("%d tags are configured, and at most %d are allowed: AWS allows %d tags per resource, and %s. "+
				"Remove %d of them.", n, v.max, awsTagsPerResource, v.why, n-v.max))
	}
	for _, k := range slices.Sorted(maps.Keys(elems)) {
		p := req.Path.AtMapKey(k)
		for _, problem := range tagKeyProblems(k) {
			resp.Diagnostics.AddAttributeError(p, problem.summary, problem.detail)
		}
		s, ok := elems[k].(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		for _, detail := range tagValueProblems(k, s.ValueString()) {
			resp.Diagnostics.AddAttributeError(p, "Invalid tag value", detail)
		}
	}
}

type tagProblem struct{ summary, detail string }

// tagKeyProblems lists every rule the tag key k breaks.
func tagKeyProblems(k string) []tagProblem {
	var out []tagProblem
	invalid := func(format string, args ...any) {
		out = append(out, tagProblem{"Invalid tag key", fmt.Sprintf(format, args...)})
	}
	switch n := utf8.RuneCountInString(k); {
	case n == 0:
		invalid("A tag key is empty; tag keys must be 1 to %d characters long.", MaxTagKeyLength)
	case n > MaxTagKeyLength:
		invalid("The tag key %s is %d characters long; tag keys must be 1 to %d characters long.", shown(k), n, MaxTagKeyLength)
	}
	if bad := badTagChars(k); bad != "" {
		invalid("The tag key %s contains %s, which AWS does not accept in tags; keys may contain %s.",
			shown(k), bad, strings.ReplaceAll(TagCharacters, "`", ""))
	}
	switch {
	case k == awsapi.CreatingTag:
		out = append(out, tagProblem{"Reserved tag key", fmt.Sprintf("The tag key %q is the provider's own: it marks a "+
			"resource whose create has not finished, so that an interrupted apply's leftovers are finished by the next "+
			"one. Use another key.", awsapi.CreatingTag)})
	case k == awsapi.ManagedTag:
		out = append(out, tagProblem{"Reserved tag key", fmt.Sprintf("The tag key %q is the provider's own: it marks "+
			"the servers gdpr_server launched, which gdpr_isolate_server may isolate. Use another key.", k)})
	case k == awsapi.IncidentTag || k == awsapi.IsolatedAtTag:
		out = append(out, tagProblem{"Reserved tag key", fmt.Sprintf("The tag key %q is the provider's own: "+
			"gdpr_isolate_server writes it on a server it isolates for an incident. Use another key.", k)})
	case k == awsapi.MovingToTag || k == awsapi.MovedFromTag:
		out = append(out, tagProblem{"Reserved tag key", fmt.Sprintf("The tag key %q is the provider's own: it records "+
			"the move of a bucket's objects to the bucket that replaces it (on_replace = \"move_data\"). Use another key.", k)})
	case strings.HasPrefix(strings.ToLower(k), ReservedTagPrefix):
		out = append(out, tagProblem{"Reserved tag key", fmt.Sprintf("The tag key %s starts with %q, which AWS reserves "+
			"for its own tags in any combination of upper and lower case. Use another key.", shown(k), ReservedTagPrefix)})
	}
	return out
}

// tagValueProblems lists every rule the value v of the tag k breaks.
func tagValueProblems(k, v string) []string {
	var out []string
	if n := utf8.RuneCountInString(v); n > MaxTagValueLength {
		out = append(out, fmt.Sprintf("The value of the tag %s is %d characters long; tag values may have at most %d characters.",
			shown(k), n, MaxTagValueLength))
	}
	if bad := badTagChars(v); bad != "" {
		out = append(out, fmt.Sprintf("The value of the tag %s contains %s, which AWS does not accept in tags; values may "+
			"contain %s.", shown(k), bad, strings.ReplaceAll(TagCharacters, "`", "")))
	}
	return out
}

// badTagChars names, quoted and once each, the characters of s outside the tag character set; "" when
// there are none. Control characters are shown escaped, so a NUL or a newline is visible in the message.
func badTagChars(s string) string {
	if tagCharsPattern().MatchString(s) {
		return ""
	}
	var bad []string
	for _, r := range s {
		if q := fmt.Sprintf("%q", r); !tagCharsPattern().MatchString(string(r)) && !slices.Contains(bad, q) {
			bad = append(bad, q)
		}
	}
	return strings.Join(bad, ", ")
}

// shown quotes a tag key for a message, shortened when it is long: the diagnostic's path names it in full.
func shown(k string) string {
	const most = 40
	if utf8.RuneCountInString(k) <= most {
		return fmt.Sprintf("%q", k)
	}
	return fmt.Sprintf("%q...", string([]rune(k)[:most]))
}

// providerTagKeys are the tag keys the provider writes itself, quoted, which no configuration may set.
func providerTagKeys() []string {
	var out []string
	for _, k := range []string{awsapi.CreatingTag, awsapi.ManagedTag, awsapi.IncidentTag, awsapi.IsolatedAtTag, awsapi.MovingToTag, awsapi.MovedFromTag} {
		out = append(out, fmt.Sprintf("%q", k))
	}
	return out
}

// TagValue validates a string that becomes a tag's value: at most maxLen characters (AWS allows
// MaxTagValueLength), at least one, made of the characters every service accepts in tags.
func TagValue(maxLen int) validator.String { return tagValueValidator{maxLen} }

type tagValueValidator struct{ max int }

func (v tagValueValidator) Description(_ context.Context) string {
	return fmt.Sprintf("1 to %d letters, numbers, spaces or _ . : / = + - @", v.max)
}

func (v tagValueValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v tagValueValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if n := utf8.RuneCountInString(s); n < 1 || n > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", fmt.Sprintf("The value is %d characters "+
			"long; it becomes a tag's value, and must be 1 to %d characters long.", n, v.max))
	}
	if bad := badTagChars(s); bad != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", fmt.Sprintf("The value contains %s; it "+
			"becomes a tag's value, which may contain %s.", bad, strings.ReplaceAll(TagCharacters, "`", "")))
	}
}
