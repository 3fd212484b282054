#!/usr/bin/perl
# A backend that accepts connections and never answers: it holds every
# accepted socket open until killed.
# usage: silent-listener.pl [OPTIONS] PORT          (127.0.0.1:PORT)
#        silent-listener.pl [OPTIONS] --unix PATH   (a unix socket, mode 0666)
# --count FILE: after each accept, FILE holds the number of accepts so far
# (written anew, so a reader never sees half a number).
# --log FILE: "ready" once listening, then "accepted <unix time in ms>"
# per accepted connection (appended, flushed), so that a scenario can
# wait on what its clients did.
# --close: close each accepted connection at once instead of holding it
# (a backend that hangs up before answering).
use strict;
use warnings;
use IO::Handle;
use IO::Socket::IP;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time);

my ($count_file, $log_file, $unix, $close);
while (@ARGV && $ARGV[0] =~ /^--/) {
	my $o = shift @ARGV;
	if ($o eq '--count') { $count_file = shift @ARGV; }
	elsif ($o eq '--log') { $log_file = shift @ARGV; }
	elsif ($o eq '--unix') { $unix = 1; }
	elsif ($o eq '--close') { $close = 1; }
	else { die "unknown option $o\n"; }
}
die "usage: silent-listener.pl [--count FILE] [--log FILE] [--close] " .
	"PORT|--unix PATH\n" unless @ARGV == 1;

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

my $log;
if (defined $log_file) {
	open($log, '>>', $log_file) or die "$log_file: $!\n";
	$log->autoflush(1);
	print $log "ready\n";
}

my @held;
my $n = 0;
write_count(0);
while (my $c = $srv->accept()) {
	$n++;
	printf $log "accepted %d\n", time() * 1000 if $log;
	if ($close) { close($c); } else { push @held, $c; }
	write_count($n);
}
