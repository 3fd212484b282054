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
#   lmtp-hold FILE RCPT...                lmtp-deliver, but after the DATA
#                                         replies wait until FILE exists
#                                         (at most 120 s), then QUIT
#   --marks FILE: the LMTP actions append "NAME MS" lines (wall clock,
#   ms) to FILE: data-sent (the final "."), data-replied (the last
#   DATA reply), quit-sent, quit-replied.
use strict;
use warnings;
use IO::Socket::IP;
use IO::Socket::UNIX;
use MIME::Base64;
use Time::HiRes qw(time);

my ($src, $unix, $id, $marks);
while (@ARGV && $ARGV[0] =~ /^--/) {
	my $o = shift @ARGV;
	if ($o eq '--src') { $src = shift @ARGV; }
	elsif ($o eq '--unix') { $unix = shift @ARGV; }
	elsif ($o eq '--id') { $id = shift @ARGV; }
	elsif ($o eq '--marks') { $marks = shift @ARGV; }
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
# mark NAME: with --marks, one "NAME MS" line in that file.
sub mark {
	my ($name) = @_;
	return unless defined $marks;
	open(my $fh, '>>', $marks) or die "$marks: $!\n";
	printf $fh "%s %d\n", $name, int(time() * 1000);
	close($fh);
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
} elsif ($action eq 'lmtp-deliver' || $action eq 'lmtp-hold') {
	my $hold = $action eq 'lmtp-hold' ? shift(@args) : undef;
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
	mark('data-sent');
	my $refused = 0;
	for (@rcpts) { rd() =~ /^250/ or $refused = 1; }
	mark('data-replied');
	exit 1 if $refused;
	if (defined $hold) {
		print STDERR "holding until $hold exists\n";
		alarm(0);
		for (1 .. 1200) {
			last if -e $hold;
			select(undef, undef, undef, 0.1);
		}
		-e $hold or do { print STDERR "$hold never appeared\n"; exit 2; };
		alarm(30);
	}
	wr("QUIT");
	mark('quit-sent');
	rd();
	mark('quit-replied');
	exit 0;
}
die "unknown action $action\n";
