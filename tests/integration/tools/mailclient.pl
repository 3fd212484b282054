#!/usr/bin/perl
# Minimal IMAP / POP3 / LMTP client for the integration suite.
# Speaks the real protocols over TCP (optionally binding a source address)
# or a unix socket. Transcript goes to stderr; exit 0 on success, 1 when
# the server refused (e.g. login NO), 2 on connection/protocol trouble.
#
# usage: mailclient.pl [--src IP] [--unix PATH] [--id LIST] HOST PORT ACTION ARGS...
#   --id LIST: IMAP actions send "ID LIST" (e.g. '("name" "x")') after the
#   greeting, before logging in; a NO or BAD reply is trouble (exit 2).
# actions:
#   imap-login USER PASS [HOLD_SECONDS]   LOGIN, SELECT INBOX, LOGOUT
#   imap-auth USER PASS                   AUTHENTICATE PLAIN, LOGOUT
#   imap-idle USER PASS SECONDS           LOGIN, IDLE for SECONDS, DONE,
#                                         NOOP, SELECT INBOX, LOGOUT
#   imap-select USER PASS MAILBOX         LOGIN, SELECT MAILBOX, LOGOUT
#   pop3-login USER PASS                  USER/PASS, STAT, QUIT
#   imap-hold USER PASS FILE              LOGIN, SELECT INBOX, wait until
#                                         FILE exists (at most 120 s),
#                                         NOOP, LOGOUT
#   lmtp-deliver RCPT...                  LHLO, MAIL, one RCPT each, DATA
#                                         (one reply per recipient), QUIT
use strict;
use warnings;
use IO::Socket::IP;
use IO::Socket::UNIX;
use MIME::Base64;

my ($src, $unix, $id);
while (@ARGV && $ARGV[0] =~ /^--/) {
	my $o = shift @ARGV;
	if ($o eq '--src') { $src = shift @ARGV; }
	elsif ($o eq '--unix') { $unix = shift @ARGV; }
	elsif ($o eq '--id') { $id = shift @ARGV; }
	else { die "unknown option $o\n"; }
}
my ($host, $port, $action, @args) = @ARGV;
die "usage: mailclient.pl [--src IP] [--unix PATH] HOST PORT ACTION ...\n"
	unless defined $action;

my $sock;
if (defined $unix) {
	$sock = IO::Socket::UNIX->new(Peer => $unix, Type => SOCK_STREAM);
} else {
	$sock = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port,
		(defined $src ? (LocalHost => $src) : ()), Timeout => 10);
}
unless ($sock) { print STDERR "connect failed: $!\n"; exit 2; }
$sock->autoflush(1);
$SIG{ALRM} = sub { print STDERR "timeout\n"; exit 2; };
alarm(30);

sub rd {
	my $l = <$sock>;
	unless (defined $l) { print STDERR "S: <eof>\n"; exit 2; }
	print STDERR "S: $l";
	$l =~ s/\r?\n$//;
	return $l;
}
sub wr {
	my ($l) = @_;
	print STDERR "C: $l\n";
	print $sock "$l\r\n";
}
# IMAP: send a tagged command, return the tagged status (OK/NO/BAD).
my $tagn = 0;
sub imap_cmd {
	my ($cmd) = @_;
	my $tag = "a" . ++$tagn;
	wr("$tag $cmd");
	while (1) {
		my $l = rd();
		return $1 if $l =~ /^\Q$tag\E (OK|NO|BAD)/;
	}
}
sub imap_quote {
	my ($s) = @_;
	$s =~ s/([\\"])/\\$1/g;
	return "\"$s\"";
}
# imap_greeting: read the greeting, then send the ID (--id) if any.
sub imap_greeting {
	rd();
	return unless defined $id;
	imap_cmd("ID $id") eq 'OK' or exit 2;
}
sub imap_login {
	my ($u, $p) = @_;
	imap_greeting();
	my $r = imap_cmd("LOGIN " . imap_quote($u) . " " . imap_quote($p));
	exit 1 unless $r eq 'OK';
}

if ($action eq 'imap-login') {
	my ($u, $p, $hold) = @args;
	imap_login($u, $p);
	imap_cmd("SELECT INBOX") eq 'OK' or exit 2;
	sleep($hold) if $hold;
	imap_cmd("LOGOUT");
	exit 0;
} elsif ($action eq 'imap-hold') {
	my ($u, $p, $file) = @args;
	imap_login($u, $p);
	imap_cmd("SELECT INBOX") eq 'OK' or exit 2;
	print STDERR "holding until $file exists\n";
	alarm(0);
	for (1 .. 1200) {
		last if -e $file;
		select(undef, undef, undef, 0.1);
	}
	-e $file or do { print STDERR "$file never appeared\n"; exit 2; };
	alarm(30);
	imap_cmd("NOOP") eq 'OK' or exit 2;
	imap_cmd("LOGOUT");
	exit 0;
} elsif ($action eq 'imap-auth') {
	my ($u, $p) = @args;
	imap_greeting();
	my $ir = encode_base64("\0$u\0$p", '');
	my $r = imap_cmd("AUTHENTICATE PLAIN $ir");
	exit 1 unless $r eq 'OK';
	imap_cmd("LOGOUT");
	exit 0;
} elsif ($action eq 'imap-idle') {
	my ($u, $p, $secs) = @args;
	imap_login($u, $p);
	imap_cmd("SELECT INBOX") eq 'OK' or exit 2;
	wr("i1 IDLE");
	my $l = rd();
	exit 2 unless $l =~ /^\+/;
	sleep($secs);
	wr("DONE");
	while (1) {
		$l = rd();
		last if $l =~ /^i1 /;
	}
	exit 2 unless $l =~ /^i1 OK/;
	imap_cmd("NOOP") eq 'OK' or exit 2;
	imap_cmd("SELECT INBOX") eq 'OK' or exit 2;
	imap_cmd("LOGOUT");
	exit 0;
} elsif ($action eq 'imap-select') {
	my ($u, $p, $mbox) = @args;
	imap_login($u, $p);
	imap_cmd('LIST "" "*"');
	my $r = imap_cmd("SELECT " . imap_quote($mbox));
	imap_cmd("LOGOUT");
	exit($r eq 'OK' ? 0 : 1);
} elsif ($action eq 'pop3-login') {
	my ($u, $p) = @args;
	rd();
	wr("USER $u");
	rd() =~ /^\+OK/ or exit 1;
	wr("PASS $p");
	rd() =~ /^\+OK/ or exit 1;
	wr("STAT");
	rd() =~ /^\+OK/ or exit 2;
	wr("QUIT");
	rd();
	exit 0;
} elsif ($action eq 'lmtp-deliver') {
	my @rcpts = @args;
	rd() =~ /^220/ or exit 2;
	wr("LHLO client.test");
	while (1) { my $l = rd(); last if $l =~ /^250 /; }
	wr("MAIL FROM:<sender\@example.test>");
	rd() =~ /^250/ or exit 2;
	for my $rcpt (@rcpts) {
		wr("RCPT TO:<$rcpt>");
		rd() =~ /^250/ or exit 1;
	}
	wr("DATA");
	rd() =~ /^354/ or exit 2;
	wr("From: sender\@example.test");
	wr("Subject: lmtp test");
	wr("");
	wr("hello");
	wr(".");
	my $refused = 0;
	for (@rcpts) { rd() =~ /^250/ or $refused = 1; }
	exit 1 if $refused;
	wr("QUIT");
	rd();
	exit 0;
}
die "unknown action $action\n";
