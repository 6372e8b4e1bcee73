package web

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"storefront/models"
)

// Mailer sends the shop's email (password reset links) through an SMTP
// relay the operator runs or rents: `serve --smtp-addr host:port
// --mail-from … --public-url …`, credentials from the environment
// (STOREFRONT_SMTP_USERNAME, STOREFRONT_SMTP_PASSWORD). The relay's
// STARTTLS is used when it offers it; net/smtp refuses to send the
// credentials over a connection that is neither encrypted nor local.
type Mailer struct {
	Addr string // host:port of the relay
	From string // the sender address, "Shop <shop@example.com>"
	// PublicURL is the shop's address as shoppers reach it
	// ("https://shop.example.com"): the links in its emails start with
	// it, never with a request's Host header, which a client chooses.
	PublicURL string
	Auth      smtp.Auth // nil: the relay takes mail without a login
	Timeout   time.Duration
}

// NewMailer checks a relay's settings; user and password may be empty.
func NewMailer(addr, from, publicURL, user, password string) (*Mailer, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--smtp-addr %q: want host:port (%w)", addr, err)
	}
	if a, err := mail.ParseAddress(from); err != nil || a.Address == "" {
		return nil, fmt.Errorf("--mail-from %q is not an email address: the shop's email needs a sender", from)
	}
	publicURL = strings.TrimRight(publicURL, "/")
	if !strings.HasPrefix(publicURL, "https://") && !strings.HasPrefix(publicURL, "http://") {
		return nil, fmt.Errorf("--public-url %q: the shop's address as shoppers reach it, such as https://shop.example.com; the links in its emails start with it", publicURL)
	}
	m := &Mailer{Addr: addr, From: from, PublicURL: publicURL, Timeout: 30 * time.Second}
	if user != "" {
		m.Auth = smtp.PlainAuth("", user, password, host)
	}
	return m, nil
}

// Send sends one plain-text message to one address.
func (m *Mailer) Send(to, subject, body string) error {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return err
	}
	if strings.ContainsAny(to, "\r\n") {
		return errors.New("mail: a recipient with a line break")
	}
	if !strings.Contains(to, "@") {
		return errors.New("mail: a recipient without a domain")
	}
	if p := models.MailDomainProblem(to); p != "" {
		// The relay would deliver it inside its own network.
		return fmt.Errorf("mail: the recipient's domain is %s, not sent", p)
	}
	id := make([]byte, 12)
	rand.Read(id)
	host := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	var msg strings.Builder
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n",
		from.String(), to, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), hex.EncodeToString(id), host)
	msg.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	// Every line ends in CR LF and no CR or LF stands alone: the body
	// holds text others wrote (a shopper's name, the shop's), and a relay
	// that reads a lone CR as a line's end would take "\r.\r\n" in a name
	// for the end of the message and the lines after it for commands of
	// its own (SMTP smuggling: mail from the shop's domain to anyone).
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	for line := range strings.Lines(body) {
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, ".") {
			line = "." + line // the data's end is a line of one dot
		}
		msg.WriteString(line + "\r\n")
	}
	return m.deliver(from.Address, to, []byte(msg.String()))
}

// deliver is smtp.SendMail with a bound on the whole conversation.
func (m *Mailer) deliver(from, to string, msg []byte) error {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	conn, err := net.DialTimeout("tcp", m.Addr, timeout)
	if err != nil {
		return fmt.Errorf("mail: connect to %s: %w", m.Addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("mail: %s: %w", m.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(tlsConfig(host)); err != nil {
			return fmt.Errorf("mail: STARTTLS with %s: %w", m.Addr, err)
		}
	}
	if m.Auth != nil {
		if err := c.Auth(m.Auth); err != nil {
			return fmt.Errorf("mail: log in to %s: %w", m.Addr, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: the relay refused the message: %w", err)
	}
	return c.Quit()
}

func tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}
