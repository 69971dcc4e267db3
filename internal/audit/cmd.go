package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"
)

// Usage describes the audit subcommands; the provider binary's --help prints it too.
const Usage = `usage: terraform-provider-gdpr audit verify FILE [--public-key PUB.pem]
       terraform-provider-gdpr audit keygen --private PRIV.pem --public PUB.pem
       terraform-provider-gdpr audit deliver --outbox FILE.outbox --url URL [--secret-env VAR]
       terraform-provider-gdpr audit timeline FILE --since T [--until T] [--public-key PUB.pem] [--format markdown|json]

verify   Checks the hash chain of the audit trail in FILE, as written by the audit block of the
         provider. With --public-key (an ed25519 public key in PEM, as openssl pkey -pubout writes it)
         every event must also carry a valid signature by that key; a line that does not is named
         with the key its event names (key_fingerprint). Blank lines hold no event and are passed
         over. Exit code: 0 for an intact trail (an empty file is one, with no events), 1 for a
         broken one, 2 when FILE or the key cannot be read or the command is not used as above.
keygen   Writes a new ed25519 key pair: the private key for the provider's audit.signing_key_file
         (PKCS#8 PEM, readable by its owner only) and the public key for verify. Neither file may
         exist. Exit code: 0, or 2 when the files cannot be written.
deliver  Delivers the events queued in the outbox next to an audit file to the webhook at URL, oldest
         first, with the HMAC key read from the environment variable VAR; those it does not accept
         stay queued. Exit code: 0 when nothing is left queued, 1 when events are, 2 for a usage or
         file error.
timeline Verifies FILE as verify does, then prints the events recorded from --since to --until, both
         included (RFC 3339 times such as 2026-12-07T09:00:00Z or 2026-12-07T10:00:00+01:00; --until
         defaults to now), for the annex of a breach notification: per store its region and
         jurisdiction, per event its time, action, who ran it, what it changed and its status:
         verified (chain intact and signed by the --public-key), chain-only (chain intact, no key
         given) or unverified (at or after a break in the chain, or not signed by the key), with the
         reason. It names the gaps (a damaged trail, events queued in FILE.outbox, a trail starting
         after --since) and what no trail can tell. --format markdown (the default) or json, whose
         fields the audit guide documents. Exit code: 0 when the whole trail verifies (chain-only
         without a key), 1 when it does not or an event is unverified (the timeline is printed,
         flagged), 2 when FILE or the key cannot be read or the command is not used as above.
`

// Main runs the audit subcommands of the provider binary with the arguments after "audit" and returns the
// exit code: 0 for success, 1 for a broken trail or events left undelivered, 2 for a file it cannot read
// or write and for a usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, Usage)
		return 0
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, Usage)
		return 2
	}
	switch args[0] {
	case "verify":
		return verifyCommand(args[1:], stdout, stderr)
	case "keygen":
		return keygenCommand(args[1:], stdout, stderr)
	case "deliver":
		return deliverCommand(args[1:], stdout, stderr)
	case "timeline":
		return timelineCommand(args[1:], stdout, stderr, time.Now())
	}
	fmt.Fprint(stderr, Usage)
	return 2
}

// parse parses flags that may come before and after the positional arguments (verify FILE --public-key K)
// and returns the positional ones. On a usage error or -h it prints and returns the exit code, else -1.
func parse(set *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, int) {
	set.SetOutput(io.Discard)
	var positional []string
	for {
		if err := set.Parse(args); errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, Usage)
			return nil, 0
		} else if err != nil {
			fmt.Fprintf(stderr, "%v\n\n%s", err, Usage)
			return nil, 2
		}
		if set.NArg() == 0 {
			return positional, -1
		}
		positional = append(positional, set.Arg(0))
		args = set.Args()[1:]
	}
}

func verifyCommand(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("verify", flag.ContinueOnError)
	pubPath := set.String("public-key", "", "")
	files, code := parse(set, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(files) != 1 {
		fmt.Fprint(stderr, Usage)
		return 2
	}
	path := files[0]
	var pub ed25519.PublicKey
	if *pubPath != "" {
		key, err := LoadPublicKey(*pubPath)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR cannot read the public key: %v. Give the PEM file that openssl pkey "+
				"-pubout or audit keygen wrote; nothing was verified.\n", err)
			return 2
		}
		pub = key
	}
	f, err := os.Open(path)
	var s Summary
	if err == nil {
		s, err = VerifySigned(f, pub)
		f.Close()
	}
	var broken *BrokenLink
	switch {
	case errors.As(err, &broken):
		fmt.Fprintf(stderr, "BROKEN %s: %v\n", path, err)
		if len(broken.Unverified) > 1 {
			fmt.Fprintf(stderr, "The given key %s does not verify %d events; by the key each names:\n%s",
				Fingerprint(pub), len(broken.Unverified), unverifiedByKey(broken.Unverified))
		}
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "ERROR cannot read %s: %v. Check that the path names the audit file and that it "+
			"is readable; nothing was verified.\n", path, err)
		return 2
	case s.Events == 0:
		fmt.Fprintf(stdout, "OK %s: no events, the file is empty. If the provider should have recorded "+
			"some, check that the path of its audit block names this file.\n", path)
		return 0
	case pub != nil:
		fmt.Fprintf(stdout, "OK %s: %d events, chain intact, every event signed by the given key %s\n", path,
			s.Events, Fingerprint(pub))
	case s.Signed > 0:
		keys := ""
		if len(s.Keys) > 0 {
			keys = "; they name the key " + strings.Join(s.Keys, ", the key ")
		}
		fmt.Fprintf(stdout, "OK %s: %d events, chain intact; %d carry signatures, which were not checked: "+
			"give --public-key to check them%s\n", path, s.Events, s.Signed, keys)
	default:
		fmt.Fprintf(stdout, "OK %s: %d events, chain intact\n", path, s.Events)
	}
	return 0
}

// unverifiedByKey lists the lines of the events, grouped by the key each names, one key a line, in the
// order the keys first appear; runs of consecutive lines are written as ranges.
func unverifiedByKey(events []Unverified) string {
	var order []string
	lines := map[string][]int{}
	for _, u := range events {
		key := u.Key
		switch {
		case !u.Signed:
			key = "not signed"
		case key == "":
			key = "a key the event does not name"
		}
		if _, ok := lines[key]; !ok {
			order = append(order, key)
		}
		lines[key] = append(lines[key], u.Line)
	}
	var b strings.Builder
	for _, key := range order {
		var ranges []string
		l := lines[key]
		for i := 0; i < len(l); {
			j := i
			for j+1 < len(l) && l[j+1] == l[j]+1 {
				j++
			}
			if i == j {
				ranges = append(ranges, fmt.Sprint(l[i]))
			} else {
				ranges = append(ranges, fmt.Sprintf("%d-%d", l[i], l[j]))
			}
			i = j + 1
		}
		word := "lines"
		if len(l) == 1 {
			word = "line"
		}
		fmt.Fprintf(&b, "  %s: %s %s\n", key, word, strings.Join(ranges, ", "))
	}
	return b.String()
}

func keygenCommand(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("keygen", flag.ContinueOnError)
	priv := set.String("private", "", "")
	pub := set.String("public", "", "")
	rest, code := parse(set, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(rest) != 0 || *priv == "" || *pub == "" {
		fmt.Fprint(stderr, Usage)
		return 2
	}
	if err := GenerateKeys(*priv, *pub); err != nil {
		fmt.Fprintf(stderr, "ERROR no key pair written: %v\n", err)
		return 2
	}
	fingerprint := ""
	if key, err := LoadPublicKey(*pub); err == nil {
		fingerprint = " (" + Fingerprint(key) + ", the key_fingerprint of the events it signs)"
	}
	fmt.Fprintf(stdout, "OK private key in %s (mode 0600): give its path to the provider as "+
		"audit.signing_key_file and keep it where only Terraform's runner reads it. Public key in %s%s: give it "+
		"to whoever verifies the trail.\n", *priv, *pub, fingerprint)
	return 0
}

func deliverCommand(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("deliver", flag.ContinueOnError)
	outboxPath := set.String("outbox", "", "")
	hook := set.String("url", "", "")
	secretEnv := set.String("secret-env", "", "")
	rest, code := parse(set, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	u, err := url.Parse(*hook)
	if len(rest) != 0 || *outboxPath == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprint(stderr, Usage)
		return 2
	}
	secret := ""
	if *secretEnv != "" {
		if secret = os.Getenv(*secretEnv); secret == "" {
			fmt.Fprintf(stderr, "ERROR the environment variable %s is empty or not set; set it to the webhook "+
				"secret, or leave --secret-env out for a webhook without one. Nothing was delivered.\n", *secretEnv)
			return 2
		}
	}
	if _, err := os.Stat(*outboxPath); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stdout, "OK %s does not exist: nothing is queued there. If events should be, check that "+
			"the path is the audit file's path followed by %s.\n", *outboxPath, OutboxSuffix)
		return 0
	}
	sent, left, err := DeliverOutbox(context.Background(), *outboxPath, NewWebhook(*hook, secret, DefaultRetry))
	switch {
	case left > 0:
		fmt.Fprintf(stderr, "QUEUED %s: %d events delivered, %d still queued: %v\n", *outboxPath, sent, left, err)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "ERROR %s: %d events delivered: %v\n", *outboxPath, sent, err)
		return 2
	}
	fmt.Fprintf(stdout, "OK %s: %d events delivered, nothing left queued\n", *outboxPath, sent)
	return 0
}

// timelineUsage is the timeline's line of Usage, printed after an error in its arguments.
const timelineUsage = "usage: terraform-provider-gdpr audit timeline FILE --since T [--until T] [--public-key PUB.pem] " +
	"[--format markdown|json]\n"

// timelineCommand prints the timeline of the file; now is the default of --until.
func timelineCommand(args []string, stdout, stderr io.Writer, now time.Time) int {
	set := flag.NewFlagSet("timeline", flag.ContinueOnError)
	sinceArg := set.String("since", "", "")
	untilArg := set.String("until", "", "")
	pubPath := set.String("public-key", "", "")
	format := set.String("format", "markdown", "")
	files, code := parse(set, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ERROR "+format+"\n\n"+timelineUsage, a...)
		return 2
	}
	if len(files) != 1 {
		return usage("give one audit file; %d were given.", len(files))
	}
	path := files[0]
	if *sinceArg == "" {
		return usage("--since is required: the start of the range, an RFC 3339 time such as 2026-12-07T09:00:00Z.")
	}
	since, err := parseTime("--since", *sinceArg)
	if err != nil {
		return usage("%v.", err)
	}
	until := now
	if *untilArg != "" {
		if until, err = parseTime("--until", *untilArg); err != nil {
			return usage("%v.", err)
		}
	}
	if until.Before(since) && *untilArg == "" {
		return usage("--since (%s) is in the future: give the start of the range, which ends now unless --until "+
			"says otherwise.", since.UTC().Format(time.RFC3339))
	}
	if until.Before(since) {
		return usage("--until (%s) is before --since (%s): give the start of the range to --since and its end "+
			"to --until, or leave --until out for now.", until.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
	}
	if *format != "markdown" && *format != "json" {
		return usage("--format %q is not a format of the timeline: give markdown (the default) or json.", *format)
	}
	opts := TimelineOptions{Since: since, Until: until}
	if *pubPath != "" {
		key, err := LoadPublicKey(*pubPath)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR cannot read the public key: %v. Give the PEM file that openssl pkey "+
				"-pubout or audit keygen wrote; no timeline was made.\n", err)
			return 2
		}
		opts.PublicKey = key
	}
	tl, err := TimelineFile(path, opts)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR cannot read %s: %v. Check that the path names the audit file and that it "+
			"is readable; no timeline was made.\n", path, err)
		return 2
	}
	if *format == "json" {
		err = tl.JSON(stdout)
	} else {
		err = tl.Markdown(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ERROR cannot write the timeline: %v\n", err)
		return 2
	}
	switch {
	case tl.Counts.Unverified > 0:
		fmt.Fprintf(stderr, "UNVERIFIED %s: the trail does not verify, and %d of the %d events in the range "+
			"are unverified; the timeline flags them, and its gaps say where the trail breaks.\n", path,
			tl.Counts.Unverified, tl.Counts.Events)
		return 1
	case !tl.TrailVerified:
		fmt.Fprintf(stderr, "UNVERIFIED %s: the trail does not verify outside the range, though none of the %d "+
			"events in it is unverified; the timeline's gaps say where the trail breaks.\n", path, tl.Counts.Events)
		return 1
	}
	return 0
}

// parseTime reads the time given to a flag, which must be RFC 3339.
func parseTime(flagName, value string) (time.Time, error) {
	at, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time: give a date, a time and a UTC offset, "+
			"such as 2026-12-07T09:00:00Z or 2026-12-07T10:00:00+01:00", flagName, value)
	}
	return at, nil
}
