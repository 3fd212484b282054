#!/usr/bin/perl
# One timed client session for bench/backend-faults.sh, against a Dovecot
# on 127.0.0.1. Prints one line of KEY=VALUE figures (milliseconds).
#
# usage: fault-session.pl imap PORT USER PASS
#          LOGIN, SELECT INBOX, LOGOUT. login_ms: LOGIN sent -> its tagged
#          reply; linger_ms: LOGOUT's tagged reply -> the imap process
#          serving this connection has exited.
#        fault-session.pl lmtp PORT RCPT...
#          LHLO, MAIL, one RCPT each, DATA, QUIT. data_ms: the message
#          (with its final ".") sent -> the last recipient's reply; linger_ms: QUIT's reply ->
#          the lmtp process has exited (the bench runs lmtp with
#          service_count = 1).
#
# The serving process is the one that holds the server side of this TCP
# connection (ss -p; imap-login hands the socket to imap at login); its
# exit is seen through a pidfd (see gone_after). Exit 0 on success, 1 if
# a reply was not the expected one, 2 on trouble.
use strict;
use warnings;
use IO::Socket::IP;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC sleep);
use POSIX ();
use Socket qw(IPPROTO_TCP TCP_NODELAY);

my ($proto, $port, @args) = @ARGV;
die "usage: fault-session.pl imap|lmtp PORT ARGS...\n" unless defined $port;
$SIG{ALRM} = sub { print STDERR "fault-session: timed out\n"; exit 2; };
alarm($ENV{BENCH_SESSION_TIMEOUT} || 300);

my $sock = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port)
	or do { print STDERR "connect: $!\n"; exit 2; };
$sock->autoflush(1);
# every line goes out at once (no Nagle wait for the ACK of the last one)
setsockopt($sock, IPPROTO_TCP, TCP_NODELAY, 1) or die "TCP_NODELAY: $!\n";

sub now_ms { return clock_gettime(CLOCK_MONOTONIC) * 1000; }
sub rd {
	my $l = <$sock>;
	unless (defined $l) { print STDERR "fault-session: eof\n"; exit 2; }
	$l =~ s/\r?\n$//;
	return $l;
}
sub wr { print $sock "$_[0]\r\n"; }
sub expect {
	my ($l, $re) = @_;
	return if $l =~ $re;
	print STDERR "fault-session: unexpected reply: $l\n";
	exit 1;
}

# server_pid NAME: the process NAME on the server side of our connection.
sub server_pid {
	my ($name) = @_;
	my $me = $sock->sockport;
	for (1 .. 200) {
		my $out = `ss -Htnp state established '( sport = :$port and dport = :$me )'`;
		return $1 if $out =~ /\("\Q$name\E",pid=(\d+),/;
		sleep(0.005);
	}
	print STDERR "fault-session: no $name process holds the connection\n";
	exit 2;
}

# gone_after PID T0: ms from T0 until PID has exited. A pidfd
# (pidfd_open(2), syscall 434 on every Linux architecture) becomes
# readable at the exit itself; without one (any error), /proc is polled
# every 0.2 ms (a zombie counts as gone).
sub gone_after {
	my ($pid, $t0) = @_;
	my $fd = syscall(434, $pid + 0, 0); # a number, not a string pointer
	if ($fd >= 0) {
		my $rin = '';
		vec($rin, $fd, 1) = 1;
		select(my $rout = $rin, undef, undef, undef);
		my $t = now_ms() - $t0;
		POSIX::close($fd);
		return $t;
	}
	while (1) {
		my $stat;
		return now_ms() - $t0 unless open($stat, '<', "/proc/$pid/stat");
		my $s = <$stat> // '';
		close($stat);
		return now_ms() - $t0 if $s eq '' || $s =~ /^\d+ \(.*\) Z /;
		sleep(0.0002);
	}
}

my $tag = 0;
sub imap_cmd {
	my ($cmd) = @_;
	my $t = 'a' . ++$tag;
	wr("$t $cmd");
	while (1) {
		my $l = rd();
		return $l if $l =~ /^\Q$t\E /;
	}
}

if ($proto eq 'imap') {
	my ($user, $pass) = @args;
	expect(rd(), qr/^\* OK/);
	my $t0 = now_ms();
	my $r = imap_cmd("LOGIN \"$user\" \"$pass\"");
	my $login = now_ms() - $t0;
	expect($r, qr/^a1 OK/);
	my $pid = server_pid('imap');
	expect(imap_cmd('SELECT INBOX'), qr/^a2 OK/);
	expect(imap_cmd('LOGOUT'), qr/^a3 OK/);
	my $linger = gone_after($pid, now_ms());
	printf "login_ms=%.3f linger_ms=%.3f pid=%d\n", $login, $linger, $pid;
} elsif ($proto eq 'lmtp') {
	expect(rd(), qr/^220/);
	my $pid = server_pid('lmtp');
	wr('LHLO bench.test');
	while (1) { my $l = rd(); expect($l, qr/^250/); last if $l =~ /^250 /; }
	wr('MAIL FROM:<sender@bench.test>');
	expect(rd(), qr/^250/);
	for my $rcpt (@args) {
		wr("RCPT TO:<$rcpt>");
		expect(rd(), qr/^250/);
	}
	wr('DATA');
	expect(rd(), qr/^354/);
	my $t0 = now_ms();
	print $sock "From: sender\@bench.test\r\nSubject: backend fault bench\r\n" .
		"\r\nhello\r\n.\r\n";
	expect(rd(), qr/^250/) for @args;
	my $data = now_ms() - $t0;
	wr('QUIT');
	expect(rd(), qr/^221/);
	my $linger = gone_after($pid, now_ms());
	printf "data_ms=%.3f linger_ms=%.3f pid=%d\n", $data, $linger, $pid;
} else {
	die "fault-session: unknown protocol $proto\n";
}
exit 0;
