package models

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// PasswordCost is the bcrypt cost for new passwords.
const PasswordCost = 11

// hashCost is the cost HashPassword uses: PasswordCost, or bcrypt's least
// in the test binaries that call LowerPasswordCostForTests.
var hashCost = PasswordCost

// LowerPasswordCostForTests makes HashPassword hash at bcrypt's least cost.
// A test binary that makes hundreds of accounts calls it from TestMain, before
// any test runs (a cost-11 hash is a fifth of a second of CPU); the shop
// never does. Logins of unknown addresses still compare at PasswordCost.
func LowerPasswordCostForTests() { hashCost = bcrypt.MinCost }

// MinPasswordLength is the shortest password accepted at registration.
const MinPasswordLength = 10

// commonPasswordList is the 10,000 most common passwords (see the file's
// header for where it comes from).
//
//go:embed commonpasswords.txt
var commonPasswordList string

// commonPasswords holds passwords too common to accept, lower-cased: the
// shipped top 10,000 and a few a shop's staff would reach for.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{"changeme123": true, "administrator": true, "storefront1": true, "storefront123": true,
		"password1234": true, "welcome1234": true, "letmein1234": true, "admin12345": true, "qwerty12345": true}
	for line := range strings.Lines(commonPasswordList) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
})

// HashPassword hashes a password with bcrypt.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), hashCost)
	if err != nil {
		return "", fmt.Errorf("models: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether pw matches the stored hash.
func CheckPassword(hash, pw string) bool {
	if hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash is compared against when an account does not exist, so a login
// attempt takes the same time whether or not the email is known. It is a
// bcrypt hash of cost PasswordCost written out rather than computed at
// start-up, where it cost every command a third of a second or more.
var dummyHash = []byte("$2a$11$/MrXaeyOhJsG976DeVnKW.cBm2Ucm3ETxhL/xL5gd3CaQqQQ2VciS")

// ValidateNewPassword is the shop's one password policy, for shoppers and
// staff alike (ASVS: length, not composition; no common passwords). It
// returns what is wrong in words, or "".
func ValidateNewPassword(pw string) string {
	switch {
	case len(pw) < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLength)
	case len(pw) > 72:
		return "Use at most 72 characters."
	case commonPasswords()[strings.ToLower(pw)]:
		return "This password is too common; choose another."
	}
	return ""
}

// MaxEmailLength is the longest address SMTP can carry (RFC 5321).
const MaxEmailLength = 254

// NormalizeEmail validates and lower-cases an email address, in Unicode
// normal form C: "josé@example.com" typed with a combining accent (as some
// keyboards and systems write it) is the same address as with the one
// code point é, as RFC 6532 has it, not a second account that reads the
// same.
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > MaxEmailLength {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") || strings.IndexFunc(s, invisibleRune) >= 0 {
		return "", false
	}
	return FoldEmail(s), true
}

// MailDomainProblem says why the shop sends no email to address (a valid
// one, NormalizeEmail's), or "": its domain must be a name on the internet.
// An address literal (x@[10.0.0.5]), a name of one label (x@intranet,
// x@localhost), *.localhost and a name whose last label is digits
// (x@127.0.0.1) are valid addresses, but the shop's relay would deliver
// them to a host on its own network (the relay's, the shop's): anyone
// registering one and asking for a reset link has the relay open SMTP
// connections inside that network.
func MailDomainProblem(address string) string {
	domain := strings.ToLower(address[strings.LastIndexByte(address, '@')+1:])
	last := domain[strings.LastIndexByte(domain, '.')+1:]
	switch {
	case strings.HasPrefix(domain, "["):
		return "an address literal"
	case !strings.Contains(domain, "."), domain == "localhost" || strings.HasSuffix(domain, ".localhost") || strings.HasSuffix(domain, "."):
		return "a name that is not on the internet"
	case strings.Trim(last, "0123456789") == "":
		return "a numeric address"
	}
	return ""
}

// FoldEmail is the spelling of an address accounts are kept and found
// under: lower case, Unicode normal form C, without surrounding white
// space. It does not validate (NormalizeEmail does).
func FoldEmail(s string) string {
	return norm.NFC.String(strings.ToLower(strings.TrimSpace(s)))
}

// invisibleRune reports a character no address holds and a reader cannot
// see: format characters (zero-width space and joiners, the byte order
// mark, right-to-left overrides) and anything else that is not graphic.
// "demo@storefront.test" followed by a zero-width space was a second
// account that looked exactly like the first one.
func invisibleRune(r rune) bool {
	return unicode.Is(unicode.Cf, r) || !unicode.IsGraphic(r)
}

// visibleRune reports a character a reader sees: a name of only spaces
// and zero-width characters reads as no name.
func visibleRune(r rune) bool { return unicode.IsGraphic(r) && !unicode.IsSpace(r) }

// NameProblem says what is wrong with a shopper's name, or "".
func NameProblem(name string) string {
	switch {
	case !strings.ContainsFunc(name, visibleRune):
		return "Enter your name."
	case len(name) > 100:
		return "Use at most 100 characters."
	case strings.ContainsFunc(strings.TrimSpace(name), unicode.IsControl):
		// A name is one line of text: it is written into emails.
		return "Write your name on one line, without tabs or other control characters."
	case strings.ContainsFunc(name, misleadingNameRune):
		return "Write your name on one line, without line separators or characters that turn the text's direction."
	}
	return ""
}

// misleadingNameRune reports a character that makes a name read otherwise
// than it is written: the text-direction overrides and isolates
// ("Eve\u202etxt.exe" reads "Eveexe.txt") and the line and paragraph
// separators, which break the line control characters may not. Other
// format characters stay: Persian names are written with a zero-width
// non-joiner, and emoji sequences with a joiner.
func misleadingNameRune(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u2028' || r == '\u2029'
}

// CreateShopper registers a new shopper account.
func (db *DB) CreateShopper(ctx context.Context, name, email, password string) (*Shopper, error) {
	return db.CreateShopperFrom(ctx, "", name, email, password)
}

// CreateShopperFrom registers a new shopper account from the network and
// day origin names (NetworkOrigin; "" for none), which the account keeps
// for the training's crowd guard.
func (db *DB) CreateShopperFrom(ctx context.Context, origin, name, email, password string) (*Shopper, error) {
	fields := map[string]string{}
	em, ok := NormalizeEmail(email)
	switch {
	case !ok:
		fields["email"] = "Enter a valid email address."
	case MailDomainProblem(em) != "":
		fields["email"] = "Enter an email address on a domain of the internet, such as name@example.com."
	}
	if msg := NameProblem(name); msg != "" {
		fields["name"] = msg
	}
	if msg := ValidateNewPassword(password); msg != "" {
		fields["password"] = msg
	}
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	s := &Shopper{Email: &em, Name: strings.TrimSpace(name), PasswordHash: hash, Origin: origin}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Shopper{}).Where("email = ?", em).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &ValidationError{Fields: map[string]string{"email": "An account with this email already exists. Log in instead."}}
		}
		// Ids are never reused: a deleted shopper's id is a tombstone
		// (ForgottenUser), and SQLite would otherwise hand out the highest
		// id again once its row is gone. PostgreSQL's sequence never goes
		// back, and picking the id here would race other instances.
		s.ExternalID = "pending"
		if tx.Dialector.Name() != "postgres" {
			var next uint
			err := tx.Raw(`SELECT CASE WHEN m.s > m.f THEN m.s ELSE m.f END + 1 FROM (SELECT COALESCE((SELECT MAX(id) FROM shoppers), 0) AS s, COALESCE((SELECT MAX(shopper_id) FROM forgotten_users), 0) AS f) AS m`).Scan(&next).Error
			if err != nil {
				return err
			}
			s.ID = next
		}
		if err := tx.Create(s).Error; err != nil {
			return err
		}
		ext, err := registeredExternalID(tx, s.ID)
		if err != nil {
			return err
		}
		s.ExternalID = ext
		return tx.Model(s).Update("external_id", s.ExternalID).Error
	})
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return nil, err
		}
		return nil, fmt.Errorf("models: create shopper: %w", err)
	}
	return s, nil
}

// registeredExternalID is the external id of the shopper who registered
// with this id: "s<id>", unless that key is already someone's, then
// "s<id>-2", "s<id>-3", …: a new account never takes over another
// customer's history, and registering keeps working (it failed on the
// unique index for every later registrant, since SQLite hands out the same
// id again). A key is someone's when a shopper holds it (an events file's
// user_id may have any form), when events or a cart are stored under it
// (the events API takes any user id and makes no shopper: events posted
// for "s5002" became the history of whoever registered next, in their
// data export and their recommendations), or when it belonged to a
// customer deleted on request.
func registeredExternalID(tx *gorm.DB, id uint) (string, error) {
	base := fmt.Sprintf("s%d", id)
	ext := base
	for n := 2; ; n++ {
		taken, err := userKeyInUse(tx, ext)
		if err != nil {
			return "", err
		}
		if !taken {
			return ext, nil
		}
		ext = fmt.Sprintf("%s-%d", base, n)
	}
}

// userKeyInUseSQL asks whether anything is stored under a user key: a
// shopper, events (each half of the events' index by user, its condition
// word for word), a cart, or a deleted customer's tombstone.
const userKeyInUseSQL = `SELECT CASE WHEN EXISTS (SELECT 1 FROM shoppers WHERE external_id = ?)
	OR EXISTS (SELECT 1 FROM events WHERE user_key = ? AND type IN ` + behaviourTypes + `)
	OR EXISTS (SELECT 1 FROM events WHERE user_key = ? AND type NOT IN ` + behaviourTypes + `)
	OR EXISTS (SELECT 1 FROM cart_items WHERE owner_key = ?)
	OR EXISTS (SELECT 1 FROM forgotten_users WHERE user_key = ?) THEN 1 ELSE 0 END`

func userKeyInUse(tx *gorm.DB, key string) (bool, error) {
	var used int
	if err := tx.Raw(userKeyInUseSQL, key, key, key, key, key).Scan(&used).Error; err != nil {
		return false, err
	}
	return used == 1, nil
}

// AuthenticateShopper returns the shopper with this email and password, or
// ErrNotFound for a wrong email or password alike.
func (db *DB) AuthenticateShopper(ctx context.Context, email, password string) (*Shopper, error) {
	em, _ := NormalizeEmail(email)
	var s Shopper
	err := db.R.WithContext(ctx).Where("email = ?", em).First(&s).Error
	if err != nil {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, notFound(err, "authenticate shopper")
	}
	if !CheckPassword(s.PasswordHash, password) {
		return nil, fmt.Errorf("models: authenticate shopper: %w", ErrNotFound)
	}
	return &s, nil
}

// AuthenticateStaff returns the staff member with this email and password.
func (db *DB) AuthenticateStaff(ctx context.Context, email, password string) (*Staff, error) {
	em, _ := NormalizeEmail(email)
	var s Staff
	err := db.R.WithContext(ctx).Where("email = ?", em).First(&s).Error
	if err != nil {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, notFound(err, "authenticate staff")
	}
	if !CheckPassword(s.PasswordHash, password) || !s.Active() {
		return nil, fmt.Errorf("models: authenticate staff: %w", ErrNotFound)
	}
	return &s, nil
}

// ShopperByID finds a shopper.
func (db *DB) ShopperByID(ctx context.Context, id uint) (*Shopper, error) {
	var s Shopper
	if err := db.R.WithContext(ctx).First(&s, id).Error; err != nil {
		return nil, notFound(err, "find shopper %d", id)
	}
	return &s, nil
}

// ShopperByExternalID finds a shopper by the user id used in events.
func (db *DB) ShopperByExternalID(ctx context.Context, ext string) (*Shopper, error) {
	var s Shopper
	if err := db.R.WithContext(ctx).Where("external_id = ?", ext).First(&s).Error; err != nil {
		return nil, notFound(err, "find shopper %q", ext)
	}
	return &s, nil
}

// StaffByID finds a staff member.
func (db *DB) StaffByID(ctx context.Context, id uint) (*Staff, error) {
	var s Staff
	if err := db.R.WithContext(ctx).First(&s, id).Error; err != nil {
		return nil, notFound(err, "find staff %d", id)
	}
	return &s, nil
}

// SetOptOut changes a shopper's personalization opt-out.
func (db *DB) SetOptOut(ctx context.Context, shopperID uint, optOut bool) error {
	err := db.W.WithContext(ctx).Model(&Shopper{}).Where("id = ?", shopperID).Update("opt_out", optOut).Error
	if err != nil {
		return fmt.Errorf("models: set opt-out of shopper %d: %w", shopperID, err)
	}
	return nil
}

// CheckShopperPassword confirms a signed-in shopper's current password
// before a change to their account (ASVS 3.7.1, 2.1.6): a session left open
// is not enough to change the password or delete the account. A missing or
// wrong one is a ValidationError on the field "current".
func (db *DB) CheckShopperPassword(ctx context.Context, id uint, current string) error {
	var s Shopper
	if err := db.R.WithContext(ctx).First(&s, id).Error; err != nil {
		return notFound(err, "find shopper %d", id)
	}
	switch {
	case current == "":
		return &ValidationError{Fields: map[string]string{"current": "Enter your current password."}}
	case !CheckPassword(s.PasswordHash, current):
		return &ValidationError{Fields: map[string]string{"current": "That is not your current password."}}
	}
	return nil
}

// ChangeShopperPassword sets a shopper's new password after checking the
// current one (ASVS 2.1.6): a session left open is not enough to take the
// account. The new password follows the shop's policy.
func (db *DB) ChangeShopperPassword(ctx context.Context, id uint, current, password string) error {
	if err := db.CheckShopperPassword(ctx, id, current); err != nil {
		return err
	}
	if msg := ValidateNewPassword(password); msg != "" {
		return &ValidationError{Fields: map[string]string{"password": msg}}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	// The account's reset links stop working with the change: one sent
	// before it must not set a password after it.
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Shopper{}).Where("id = ?", id).Update("password_hash", hash).Error; err != nil {
			return err
		}
		return tx.Model(&PasswordReset{}).Where("shopper_id = ? AND used_at IS NULL", id).Update("used_at", time.Now().UTC()).Error
	})
	if err != nil {
		return fmt.Errorf("models: change password of shopper %d: %w", id, err)
	}
	return nil
}
