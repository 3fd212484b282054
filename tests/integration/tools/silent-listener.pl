#!/usr/bin/perl
# A backend that accepts connections and never answers: it holds every
# accepted socket open until killed.
# usage: silent-listener.pl [--count FILE] PORT          (127.0.0.1:PORT)
#        silent-listener.pl [--count FILE] --unix PATH   (a unix socket,
#                                                         mode 0666)
# --count FILE: after each accept, FILE holds the number of accepts so far
# (written anew, so a reader never sees half a number).
use strict;
use warnings;
use IO::Socket::IP;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM);

my ($count_file, $unix);
while (@ARGV && $ARGV[0] =~ /^--/) {
	my $o = shift @ARGV;
	if ($o eq '--count') { $count_file = shift @ARGV; }
	elsif ($o eq '--unix') { $unix = 1; }
	else { die "unknown option $o\n"; }
}
die "usage: silent-listener.pl [--count FILE] PORT|--unix PATH\n"
	unless @ARGV == 1;

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

sub write_count {
	my ($n) = @_;
	return unless defined $count_file;
	open(my $fh, '>', "$count_file.tmp") or die "$count_file.tmp: $!\n";
	print $fh "$n\n";
	close($fh);
	rename("$count_file.tmp", $count_file) or die "rename: $!\n";
}

my @held;
write_count(0);
while (my $c = $srv->accept()) {
	push @held, $c;
	write_count(scalar @held);
}
