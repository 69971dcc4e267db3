// Package audit keeps a tamper-evident trail of the infrastructure the provider creates and deletes: JSON
// lines chained by SHA-256 hashes in a local file, and a signed copy POSTed to a webhook. It has no
// Terraform imports, so the verifier in the provider binary and the tests use it directly.
package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"time"
)

// Action is what happened to the resource. A replacement is a create and a delete, two events, and a
// replacement that moves a bucket's objects a move between them; an invocation of the erasure action is an
// erase, of the restore action a restore, of the isolation action an isolate.
type Action string

// The actions the provider records.
const (
	Create  Action = "create"
	Delete  Action = "delete"
	Move    Action = "move"
	Erase   Action = "erase"
	Restore Action = "restore"
	Isolate Action = "isolate"
)

// Event is one line of the trail. The field order is the order of the JSON object, which is part of the
// format: the hash covers the line as written.
type Event struct {
	Time         time.Time `json:"time"`
	Action       Action    `json:"action"`
	ResourceType string    `json:"resource_type"`
	// CloudID is the resource's id in the cloud: the key id, the bucket name, the instance id. Terraform
	// does not tell providers the resource's address, so this and ResourceType identify it.
	CloudID          string `json:"cloud_id"`
	Region           string `json:"region,omitempty"`
	Jurisdiction     string `json:"jurisdiction,omitempty"`
	CallerAccount    string `json:"caller_account,omitempty"`
	CallerARN        string `json:"caller_arn,omitempty"`
	TFCRunID         string `json:"tfc_run_id,omitempty"`
	TFCWorkspaceID   string `json:"tfc_workspace_id,omitempty"`
	TFCWorkspaceName string `json:"tfc_workspace_name,omitempty"`
	// The rest of the run's context in HCP Terraform and Terraform Enterprise: the organisation (from the
	// workspace slug), the project, and the commit, branch and tag of the configuration version when it
	// came from version control.
	TFCOrganization string `json:"tfc_organization,omitempty"`
	TFCProject      string `json:"tfc_project,omitempty"`
	TFCGitCommitSHA string `json:"tfc_git_commit_sha,omitempty"`
	TFCGitBranch    string `json:"tfc_git_branch,omitempty"`
	TFCGitTag       string `json:"tfc_git_tag,omitempty"`
	// ArgumentsSHA256 is the SHA-256 of the resource's arguments, secrets and write-only ones left out, in
	// a canonical JSON form; a create and the delete of the same resource carry the same value.
	ArgumentsSHA256 string `json:"arguments_sha256"`
	// On move events: the bucket the objects went to (CloudID is the one they left), how many current
	// objects and bytes moved, each verified, in decimal, and the digest of the move's manifest. Counts are
	// strings so that every JSON reader gets 64-bit values exactly.
	MovedTo        string `json:"moved_to,omitempty"`
	MovedObjects   string `json:"moved_objects,omitempty"`
	MovedBytes     string `json:"moved_bytes,omitempty"`
	ManifestSHA256 string `json:"manifest_sha256,omitempty"`
	// On the move event of a database: the snapshots that carried its data from the old DB instance to the
	// new one (the final snapshot, and its copy under the new key when the key changed), comma-separated.
	// The create deletes them right after the event.
	Snapshots string `json:"snapshots,omitempty"`
	// On erase events: how many object versions (delete markers not included), delete markers and bytes of
	// versions the erasure deleted, in decimal, and the SHA-256 of the distinct keys it deleted, sorted and
	// joined with newlines. Keys can name people, so the event carries their digest, never the keys.
	ErasedVersions      string `json:"erased_versions,omitempty"`
	ErasedDeleteMarkers string `json:"erased_delete_markers,omitempty"`
	ErasedBytes         string `json:"erased_bytes,omitempty"`
	KeysSHA256          string `json:"keys_sha256,omitempty"`
	// On restore events: the moment the bucket or prefix was restored to (UTC, RFC 3339), and how many keys
	// had the version current then made current again, how many were hidden behind a delete marker because
	// they did not exist then, and how many already held what they held then, in decimal. KeysSHA256 is the
	// digest of the keys restored and hidden, as on erase events.
	RestoredToTime string `json:"restored_to_time,omitempty"`
	RestoredKeys   string `json:"restored_keys,omitempty"`
	HiddenKeys     string `json:"hidden_keys,omitempty"`
	UnchangedKeys  string `json:"unchanged_keys,omitempty"`
	// On isolate events: the incident the isolation belongs to, as the caller named it, the security group
	// that now isolates the server, and whether the server was stopped ("true", or left out). Snapshots
	// names the forensic snapshots of its volumes.
	IncidentID     string `json:"incident_id,omitempty"`
	IsolationGroup string `json:"isolation_group,omitempty"`
	Stopped        string `json:"stopped,omitempty"`
	// KeyFingerprint names the key that signed the event (see Fingerprint), on signed events only. It is
	// covered by Hash, so by the signature too: a verifier learns which public key it needs, and the
	// provider refuses to continue a file with a key other than the one that signed its last event.
	KeyFingerprint string `json:"key_fingerprint,omitempty"`
	// PrevHash is the Hash of the line before in the file, empty on the first line.
	PrevHash string `json:"prev_hash"`
	// Hash is the SHA-256 of this line with Hash and Sig left out.
	Hash string `json:"hash,omitempty"`
	// Sig is the standard base64 ed25519 signature of Hash (its hex text) under the provider's signing key,
	// when one is configured. Hash covers PrevHash, so the signature covers the event and its place in the
	// chain; a verifier needs only the public key.
	Sig string `json:"sig,omitempty"`
}

// FromEnvironment fills in the run's context from the variables HCP Terraform and Terraform Enterprise
// set in the environment of every run; outside them none is set and the fields stay empty.
func (e *Event) FromEnvironment() {
	e.TFCRunID = os.Getenv("TFC_RUN_ID")
	// HCP Terraform documents TFC_WORKSPACE_NAME and TFC_WORKSPACE_SLUG ("organisation/workspace"), not a
	// workspace id; TFC_WORKSPACE_ID is recorded when a run sets it.
	e.TFCWorkspaceID = os.Getenv("TFC_WORKSPACE_ID")
	e.TFCWorkspaceName = os.Getenv("TFC_WORKSPACE_NAME")
	if org, workspace, ok := strings.Cut(os.Getenv("TFC_WORKSPACE_SLUG"), "/"); ok {
		e.TFCOrganization = org
		if e.TFCWorkspaceName == "" {
			e.TFCWorkspaceName = workspace
		}
	}
	e.TFCProject = os.Getenv("TFC_PROJECT_NAME")
	e.TFCGitCommitSHA = os.Getenv("TFC_CONFIGURATION_VERSION_GIT_COMMIT_SHA")
	e.TFCGitBranch = os.Getenv("TFC_CONFIGURATION_VERSION_GIT_BRANCH")
	e.TFCGitTag = os.Getenv("TFC_CONFIGURATION_VERSION_GIT_TAG")
}

// computeHash hashes the event as written without its hash and signature.
func (e Event) computeHash() string {
	e.Hash, e.Sig = "", ""
	sum := sha256.Sum256(e.encode())
	return hex.EncodeToString(sum[:])
}

// chain links the event after the one whose hash is prev and computes its own hash; it is unsigned, and
// keeps the KeyFingerprint it has.
func (e Event) chain(prev string) Event {
	e.Time = e.Time.UTC()
	e.PrevHash = prev
	e.Sig = ""
	e.Hash = e.computeHash()
	return e
}

// sealed links the event after the one whose hash is prev and, with a key, names the key and signs the
// hash; a nil key leaves it unsigned and naming no key. The key is named before the hash is computed, so
// the hash and the signature cover it.
func (e Event) sealed(prev string, key ed25519.PrivateKey) Event {
	e.KeyFingerprint = ""
	if key != nil {
		e.KeyFingerprint = Fingerprint(publicOf(key))
	}
	e = e.chain(prev)
	if key != nil {
		e.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(e.Hash)))
	}
	return e
}

// Line is the event as the audit file holds it, for a message that must carry an event no sink took.
func (e Event) Line() string { return string(e.encode()) }

// encode is the canonical form of the event: encoding/json with the fields in struct order.
func (e Event) encode() []byte {
	b, err := json.Marshal(e)
	if err != nil {
		// An Event holds only strings and a time, which always encode.
		panic(err)
	}
	return b
}
