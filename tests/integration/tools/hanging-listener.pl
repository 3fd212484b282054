#!/usr/bin/perl
# A backend whose TCP connect hangs: it listens with a backlog of 0 and
# never accepts, then fills its own accept queue, so that the kernel drops
# every further SYN and a client's connect() stays in progress.
# usage: hanging-listener.pl PORT   (prints "ready" once the queue is full)
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;
use Socket qw(SOCK_STREAM);

$| = 1;
my $srv = IO::Socket::IP->new(LocalHost => '127.0.0.1',
	LocalPort => $ARGV[0], Listen => 0, ReuseAddr => 1)
	or die "listen: $!\n";
my @fillers;
# Connect until one connect() is still in progress after a second: from
# then on the queue is full and every connect hangs.
for (1 .. 64) {
	my $c = IO::Socket::IP->new(PeerHost => '127.0.0.1',
		PeerPort => $ARGV[0], Type => SOCK_STREAM, Blocking => 0)
		or die "socket: $!\n";
	push @fillers, $c;
	if (!IO::Select->new($c)->can_write(1)) {
		print "ready\n";
		sleep;
	}
}
die "accept queue never filled\n";
