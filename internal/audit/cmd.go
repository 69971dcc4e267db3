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
)

// Usage describes the audit subcommands; the provider binary's --help prints it too.
const Usage = `usage: terraform-provider-gdpr audit verify FILE [--public-key PUB.pem]
       terraform-provider-gdpr audit keygen --private PRIV.pem --public PUB.pem
       terraform-provider-gdpr audit deliver --outbox FILE.outbox --url URL [--secret-env VAR]

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
