#!/usr/bin/perl
# IMAP LOGIN/LOGOUT cycles from parallel clients for bench/backend-cpu.sh,
# against a Dovecot on 127.0.0.1: one client per user given, each one
# connecting, logging in (password PASS), logging out and closing, again
# and again, until SECONDS have passed (at least once); a cycle under
# way then ends normally. Prints the number of completed logins, summed over the
# clients. Exit 0 when every login succeeded, 1 on a refused login, 2 on
# trouble.
#
# usage: login-cycles.pl PORT PASS SECONDS USER...
use strict;
use warnings;
use IO::Socket::IP;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
use Socket qw(IPPROTO_TCP TCP_NODELAY);

my ($port, $pass, $secs, @users) = @ARGV;
die "usage: login-cycles.pl PORT PASS SECONDS USER...\n" unless @users;
$| = 1;
my $end = clock_gettime(CLOCK_MONOTONIC) + $secs;

# cycles USER: logins until the end; exits with the count in a pipe line
sub cycles {
	my ($user, $out) = @_;
	my $n = 0;
	while ($n == 0 || clock_gettime(CLOCK_MONOTONIC) < $end) {
		my $sock = IO::Socket::IP->new(PeerHost => '127.0.0.1',
			PeerPort => $port) or do { print STDERR "connect: $!\n"; return 2; };
		setsockopt($sock, IPPROTO_TCP, TCP_NODELAY, 1);
		$sock->autoflush(1);
		my $l = <$sock>;
		return 2 unless defined $l && $l =~ /^\* OK/;
		print $sock "a1 LOGIN \"$user\" \"$pass\"\r\n";
		while (defined($l = <$sock>) && $l !~ /^a1 /) { }
		unless (defined $l && $l =~ /^a1 OK/) {
			print STDERR "login $user: ", $l // "eof\n";
			return 1;
		}
		print $sock "a2 LOGOUT\r\n";
		while (defined($l = <$sock>) && $l !~ /^a2 /) { }
		close $sock;
		$n++;
	}
	print $out "$n\n";
	return 0;
}

pipe(my $rd, my $wr) or die "pipe: $!\n";
my @pids;
for my $user (@users) {
	my $pid = fork() // die "fork: $!\n";
	if ($pid == 0) {
		close $rd;
		$wr->autoflush(1);
		exit(cycles($user, $wr));
	}
	push @pids, $pid;
}
close $wr;
my ($total, $rc) = (0, 0);
for my $pid (@pids) {
	waitpid($pid, 0);
	my $s = $? >> 8;
	$rc = $s if $s > $rc;
}
while (my $l = <$rd>) { $total += $l; }
print "$total\n";
exit $rc;
