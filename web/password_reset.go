package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// A shopper who forgot their password asks for a link by email
// (/password/forgot) and sets a new one with it (/password/reset). The
// page says the same whether or not an account uses the address, and
// answers before the email is sent, so neither its words nor its time
// tell who has an account here. Without a mail relay (Config.Mail) the
// page says how to reach the shop instead.

// forgotPassword shows the form that asks for a reset link.
func (s *Server) forgotPassword(c echo.Context) error {
	return render(c, http.StatusOK, templates.ForgotPassword(s.forgotPage(c)))
}

func (s *Server) forgotPage(c echo.Context) templates.ForgotPasswordPage {
	return templates.ForgotPasswordPage{Base: s.base(c, "Forgot your password?"), CanSend: s.cfg.Mail != nil,
		Contact: s.shopSettings(c.Request().Context()).ContactEmail, Minutes: int(models.PasswordResetLife / time.Minute)}
}

// sendPasswordReset sends a reset link to the address when an account
// uses it, and says the same either way.
func (s *Server) sendPasswordReset(c echo.Context) error {
	vm := s.forgotPage(c)
	if !vm.CanSend {
		return render(c, http.StatusOK, templates.ForgotPassword(vm))
	}
	vm.Email = shortField(c.FormValue("email"))
	email, ok := models.NormalizeEmail(c.FormValue("email"))
	if !ok {
		vm.Errors = map[string]string{"email": "Enter your email address, such as name@example.com."}
		return render(c, http.StatusUnprocessableEntity, templates.ForgotPassword(vm))
	}
	if ok, wait := s.limiter.allowReset(c.Request().Context(), c.RealIP(), loginAccount("reset:", email)); !ok {
		refuseAttempt(c, wait)
		vm.Errors = map[string]string{"email": waitMessage("Too many requests.", wait)}
		return render(c, http.StatusTooManyRequests, templates.ForgotPassword(vm))
	}
	s.resetMails.add(resetMail{email: email, shopName: s.shopSettings(c.Request().Context()).Name}, s.log)
	vm.Sent = true
	return render(c, http.StatusOK, templates.ForgotPassword(vm))
}

// resetMail is a reset link to make and mail.
type resetMail struct{ email, shopName string }

// resetMailQueue holds the reset links to mail. The form answers before
// the email is sent (its time must not tell whether an account uses the
// address); one sender works through the queue, and Close waits for it,
// so a link the page said was sent is not lost when the shop stops for a
// deploy. The queue is bounded: a flood of requests cannot pile up
// senders.
type resetMailQueue struct {
	mu     sync.Mutex
	queue  chan resetMail
	closed bool
	done   chan struct{}
}

// resetMailsQueued is how many reset links may wait for the relay.
const resetMailsQueued = 256

func newResetMailQueue() *resetMailQueue {
	return &resetMailQueue{queue: make(chan resetMail, resetMailsQueued), done: make(chan struct{})}
}

// add queues a link; a full queue, or one closed for shutdown, drops it
// and logs so.
func (q *resetMailQueue) add(m resetMail, log *slog.Logger) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		log.Warn("password reset email not sent: the shop is stopping")
		return
	}
	select {
	case q.queue <- m:
	default:
		log.Error("password reset email not sent: too many waiting for the mail relay", "waiting", len(q.queue))
	}
}

// sendResetMails mails the queued links until the queue is closed.
func (s *Server) sendResetMails() {
	defer close(s.resetMails.done)
	for m := range s.resetMails.queue {
		s.mailResetLink(m.email, m.shopName)
	}
}

// closeResetMails stops taking links and waits until the queued ones are
// sent, or ctx ends.
func (s *Server) closeResetMails(ctx context.Context) error {
	q := s.resetMails
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.queue)
	}
	q.mu.Unlock()
	if err := models.Drained(ctx, q.done); err != nil {
		return fmt.Errorf("web: %d password reset email(s) not sent before the shop stopped: %w", len(q.queue), err)
	}
	return nil
}

// mailResetLink makes a reset token for the account using email, if any,
// and mails its link.
func (s *Server) mailResetLink(email, shopName string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	token, sh, err := s.db.StartPasswordReset(ctx, email, s.now())
	if errors.Is(err, models.ErrNotFound) {
		return
	}
	if errors.Is(err, models.ErrTooManyResets) {
		s.log.Info("password reset email not sent: the account was sent enough links this hour", "shopper_id", sh.ID,
			"links_per_hour", models.PasswordResetsPerHour)
		return
	}
	if err != nil {
		s.log.Error("password reset not started", "err", err)
		return
	}
	link := s.cfg.Mail.PublicURL + "/password/reset?token=" + url.QueryEscape(token)
	if shopName == "" {
		shopName = "the shop"
	}
	minutes := int(models.PasswordResetLife / time.Minute)
	subject := "Set a new password for " + shopName
	body := fmt.Sprintf("Hello %s,\n\nsomeone, probably you, asked to set a new password for your account at %s.\n"+
		"Open this link within %d minutes to choose one (it works once):\n\n%s\n\n"+
		"If it was not you, ignore this email: your password stays as it is.\n",
		strings.TrimSpace(sh.Name), shopName, minutes, link)
	if sh.ClaimsImport() {
		// A customer the shop imported with this address: no account
		// yet, so no password to forget.
		subject = "Set a password for your account at " + shopName
		hello := "Hello"
		if name := strings.TrimSpace(sh.Name); name != "" {
			hello += " " + name // the customers file's name
		}
		body = fmt.Sprintf("%s,\n\nsomeone, probably you, asked to log in to %s with this address. You shopped with us before, "+
			"and you have no password here yet.\nOpen this link within %d minutes to choose one (it works once); "+
			"then log in with this address and the password:\n\n%s\n\n"+
			"If it was not you, ignore this email: no account is made.\n", hello, shopName, minutes, link)
	}
	if err := s.cfg.Mail.Send(email, subject, body); err != nil {
		s.log.Error("password reset email not sent", "shopper_id", sh.ID, "err", err)
		return
	}
	s.log.Info("password reset email sent", "shopper_id", sh.ID)
}

// resetPasswordForm shows the form a reset link opens, or says the link
// no longer works.
func (s *Server) resetPasswordForm(c echo.Context) error {
	token := c.QueryParam("token")
	vm := templates.ResetPasswordPage{Base: s.base(c, "Choose a new password"), Token: token}
	noReferrer(c)
	if _, err := s.db.PasswordResetShopper(c.Request().Context(), token, s.now()); errors.Is(err, models.ErrResetLinkInvalid) {
		vm.Expired = true
		return render(c, http.StatusGone, templates.ResetPassword(vm))
	} else if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.ResetPassword(vm))
}

// resetPassword sets the new password with the link's token, signs the
// account out everywhere and asks for a login with it.
func (s *Server) resetPassword(c echo.Context) error {
	ctx := c.Request().Context()
	token, pw := c.FormValue("token"), c.FormValue("password")
	vm := templates.ResetPasswordPage{Base: s.base(c, "Choose a new password"), Token: token}
	noReferrer(c)
	errs := map[string]string{}
	if msg := models.ValidateNewPassword(pw); msg != "" {
		errs["password"] = msg
	}
	if pw != c.FormValue("confirm") {
		errs["confirm"] = "The two passwords differ."
	}
	if len(errs) > 0 {
		vm.Errors = errs
		return render(c, http.StatusUnprocessableEntity, templates.ResetPassword(vm))
	}
	sh, err := s.db.ResetShopperPassword(ctx, token, pw, s.now())
	if errors.Is(err, models.ErrResetLinkInvalid) {
		vm.Expired = true
		return render(c, http.StatusGone, templates.ResetPassword(vm))
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		vm.Errors = ve.Fields
		return render(c, http.StatusUnprocessableEntity, templates.ResetPassword(vm))
	}
	if err != nil {
		return err
	}
	if err := s.endSessionsOf(ctx, sh.ID); err != nil {
		return err
	}
	s.log.Info("shopper password reset", "shopper_id", sh.ID)
	s.flash(c, "Your password is changed, and every device signed in to your account is signed out. Log in with the new password.")
	return c.Redirect(http.StatusSeeOther, "/login")
}

// noReferrer keeps the reset token, which is in the page's address, out
// of the Referer of anything the page loads or links to.
func noReferrer(c echo.Context) {
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}
