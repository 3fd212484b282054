#!/usr/bin/perl
# A backend that accepts connections and never answers: it holds every
# accepted socket open until killed.
# usage: silent-listener.pl [--close] [--unix] PORT|PATH
#   --unix   listen on the unix socket PATH (mode 0666) instead of
#            127.0.0.1:PORT
#   --close  close each accepted connection at once instead of holding it
#            (a backend that hangs up before answering)
# Prints "ready" once listening and "accepted <unix time in ms>" for every
# connection it accepts (stdout, unbuffered), so that a scenario can wait
# on what its clients did.
use strict;
use warnings;
use IO::Socket::IP;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time);

my ($close, $unix) = (0, 0);
while (@ARGV && $ARGV[0] =~ /^--/) {
	my $o = shift @ARGV;
	if ($o eq '--close') { $close = 1; }
	elsif ($o eq '--unix') { $unix = 1; }
	else { die "unknown option $o\n"; }
}
die "usage: silent-listener.pl [--close] [--unix] PORT|PATH\n" unless @ARGV;
$| = 1;
my $srv;
if ($unix) {
	unlink $ARGV[0];
	$srv = IO::Socket::UNIX->new(Local => $ARGV[0], Type => SOCK_STREAM,
		Listen => 16) or die "listen: $!\n";
	chmod 0666, $ARGV[0];
} else {
	$srv = IO::Socket::IP->new(LocalHost => '127.0.0.1',
		LocalPort => $ARGV[0], Listen => 16, ReuseAddr => 1)
		or die "listen: $!\n";
}
print "ready\n";
my @held;
while (my $c = $srv->accept()) {
	printf "accepted %d\n", time() * 1000;
	if ($close) { close($c); } else { push @held, $c; }
}
