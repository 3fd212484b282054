#!/usr/bin/perl
# A backend that accepts connections and never answers: it holds every
# accepted socket open until killed. usage: silent-listener.pl PORT
use strict;
use warnings;
use IO::Socket::IP;

my $srv = IO::Socket::IP->new(LocalHost => '127.0.0.1',
	LocalPort => $ARGV[0], Listen => 16, ReuseAddr => 1)
	or die "listen: $!\n";
my @held;
while (my $c = $srv->accept()) {
	push @held, $c;
}
