#!/usr/bin/perl
# IMAP logins one after the other for bench/interval.sh, against a
# Dovecot on 127.0.0.1. Reads user names from stdin, one a line; for
# each: connect, LOGIN (password PASS), LOGOUT, close. Prints one line per
# login: the milliseconds from sending LOGIN to its tagged reply
# (monotonic clock). With --wait-gone MASTER_PID it waits after each
# LOGOUT until MASTER_PID has no imap child left (the login's process
# has ended, its write or lookup done), as a login 2 s later would find.
# Exit 0 when every login succeeded, 1 on a refused login, 2 on trouble.
#
# usage: interval-logins.pl [--wait-gone PID] PORT PASS <users
use strict;
use warnings;
use IO::Socket::IP;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC sleep);
use Socket qw(IPPROTO_TCP TCP_NODELAY);

my $master;
if (@ARGV && $ARGV[0] eq '--wait-gone') { shift; $master = shift; }
my ($port, $pass) = @ARGV;
die "usage: interval-logins.pl [--wait-gone PID] PORT PASS <users\n"
	unless defined $pass;
$| = 1;

sub imap_children {
	my $n = 0;
	opendir(my $d, '/proc') or return 0;
	for my $p (grep { /^\d+$/ } readdir $d) {
		open(my $f, '<', "/proc/$p/stat") or next;
		my $s = <$f> // '';
		close $f;
		# pid (comm) state ppid
		$n++ if $s =~ /^\d+ \(imap\) \S+ (\d+) / && $1 == $master;
	}
	closedir $d;
	return $n;
}

my $n = 0;
while (my $user = <STDIN>) {
	chomp $user;
	next if $user eq '';
	my $sock = IO::Socket::IP->new(PeerHost => '127.0.0.1', PeerPort => $port)
		or do { print STDERR "connect: $!\n"; exit 2; };
	setsockopt($sock, IPPROTO_TCP, TCP_NODELAY, 1);
	$sock->autoflush(1);
	my $l = <$sock>;
	unless (defined $l && $l =~ /^\* OK/) { print STDERR "no greeting\n"; exit 2; }
	my $t0 = clock_gettime(CLOCK_MONOTONIC);
	print $sock "a1 LOGIN \"$user\" \"$pass\"\r\n";
	while (defined($l = <$sock>) && $l !~ /^a1 /) { }
	my $ms = (clock_gettime(CLOCK_MONOTONIC) - $t0) * 1000;
	unless (defined $l && $l =~ /^a1 OK/) {
		print STDERR "login $user: ", $l // "eof\n";
		exit 1;
	}
	print $sock "a2 LOGOUT\r\n";
	while (defined($l = <$sock>) && $l !~ /^a2 /) { }
	close $sock;
	printf "%.3f\n", $ms;
	$n++;
	if (defined $master) {
		for (1 .. 5000) { last unless imap_children(); sleep(0.002); }
	}
}
exit 0;
