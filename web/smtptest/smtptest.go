// Package smtptest is an SMTP server on 127.0.0.1 for tests: it takes
// every message (no TLS, no login) and hands it to the test.
package smtptest

import (
	"bufio"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one message the server took.
type Message struct {
	From    string
	To      []string
	Subject string
	Body    string
	Raw     string
}

// Server is a running fake SMTP server.
type Server struct {
	Addr string
	ln   net.Listener
	got  chan Message
	wg   sync.WaitGroup
}

// Start starts a server on a free port of 127.0.0.1; the test's cleanup
// stops it.
func Start(tb testing.TB) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, got: make(chan Message, 64)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(conn)
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// Wait returns the next message, failing the test when none comes within
// the wait.
func (s *Server) Wait(tb testing.TB, wait time.Duration) Message {
	tb.Helper()
	select {
	case m := <-s.got:
		return m
	case <-time.After(wait):
		tb.Fatalf("no email within %v", wait)
		return Message{}
	}
}

// Taken returns a message the server has already taken, if any, without
// waiting.
func (s *Server) Taken() (Message, bool) {
	select {
	case m := <-s.got:
		return m, true
	default:
		return Message{}, false
	}
}

// None fails the test when a message arrives within the wait.
func (s *Server) None(tb testing.TB, wait time.Duration) {
	tb.Helper()
	select {
	case m := <-s.got:
		tb.Fatalf("an email was sent to %v: %q", m.To, m.Subject)
	case <-time.After(wait):
	}
}

func (s *Server) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(conn)
	say := func(line string) { conn.Write([]byte(line + "\r\n")) }
	say("220 smtptest ESMTP")
	var m Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := func(prefix string) string {
			v := line[min(len(prefix), len(line)):]
			return strings.Trim(strings.TrimSpace(v), "<>")
		}
		switch verb {
		case "EHLO":
			say("250-smtptest")
			say("250 8BITMIME")
		case "HELO", "NOOP":
			say("250 ok")
		case "RSET":
			m = Message{}
			say("250 ok")
		case "MAIL":
			m = Message{From: arg("MAIL FROM:")}
			say("250 ok")
		case "RCPT":
			m.To = append(m.To, arg("RCPT TO:"))
			say("250 ok")
		case "DATA":
			say("354 end with a line of one dot")
			var raw strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				raw.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Raw = raw.String()
			if msg, err := mail.ReadMessage(strings.NewReader(m.Raw)); err == nil {
				dec := new(mime.WordDecoder)
				if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
					m.Subject = msg.Header.Get("Subject")
				}
				var body strings.Builder
				bufio.NewReader(msg.Body).WriteTo(&body)
				m.Body = strings.ReplaceAll(body.String(), "\r\n", "\n")
			}
			s.got <- m
			m = Message{}
			say("250 taken")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}
